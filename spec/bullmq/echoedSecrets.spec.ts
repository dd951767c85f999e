import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import type { FlowJobResult } from '../../lib/bullmq/flowJobTypes';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { fakeJob, settledState } from './fakeJob';

// Outside attack 3, item 6 (attack on issue 29): a server that echoes the caller's key in its
// progress text. The processor stores what it reports in Redis (job.updateProgress, job.data,
// the job's return value): the server's text goes there through client.redactText.

const start = useVirtualSimulator();
const KEY = 'sk-live+S3cr3t/K3y01-23456789';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXNwZWM';

/**
 * A server in front of the simulator that echoes the caller's credential (its X-API-Key, or its
 * bearer token) in every `message` and `displayName` of its JSON answers, and lets a bearer
 * token in as the simulator's key.
 */
const echoing = (simulatorKey: string) => async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const headers = new Headers(init?.headers);
  const secret = headers.get('x-api-key') ?? headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
  headers.delete('authorization');
  headers.set('x-api-key', simulatorKey);
  const answer = await globalThis.fetch(input, { ...init, headers });
  if (!answer.headers.get('content-type')?.includes('json')) return answer;
  const body = JSON.parse(await answer.text(), (key, value: unknown) => ((key === 'message' || key === 'displayName') && typeof value === 'string' ? `${value} (for ${secret})` : value));
  const out = new Headers(answer.headers);
  out.delete('content-length');
  return new Response(JSON.stringify(body), { status: answer.status, headers: out });
};

describe('flowProcessor with a server echoing the credential (attack 3, item 6)', () => {
  it.each([
    ['an API key', KEY, { apiKey: KEY }],
    ['a bearer token', TOKEN, { apiKey: undefined, bearerToken: TOKEN }],
  ])('stores no echo of %s: progress messages [redacted], job data and the result\'s document names without it', async (_name, secret, credentials) => {
    const sim = start();
    const { job, log } = fakeJob({ flowId: builtInFlows.short.id, input: '<Letter><To>Ann</To></Letter>' });
    const client = sim.client({ ...credentials, fetch: echoing(sim.simulator.apiKey) });
    const seen = settledState(flowProcessor(client, { scheduler: sim.scheduler, progressIntervalMs: 0 })(job));
    await sim.until(() => seen.settled, 30_000);
    expect(seen.error).toBeUndefined();
    const result = seen.result as FlowJobResult;

    const messages = log.flatMap((entry) => ('progress' in entry && entry.progress.message !== undefined ? [entry.progress.message] : []));
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(message).toMatch(/ \(for \[redacted\]\)$/);
    expect(result.documents.length).toBeGreaterThan(0);
    for (const d of result.documents) expect(d.displayName).toMatch(/ \(for \[redacted\]\)$/);
    // Everything the processor handed to BullMQ (Redis), as one text.
    expect(JSON.stringify([log, result])).not.toContain(secret);
  });
});
