import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import type { Observable } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { ExecutionEvent } from '../../lib/api/types';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();
const OTHER_ID = '11111111-2222-4333-8444-555555555555';

/** Collects a stream's events and its end. */
function record(events$: Observable<ExecutionEvent>) {
  const seen: { events: ExecutionEvent[]; error?: unknown; done: boolean } = { events: [], done: false };
  events$.subscribe({ next: (e) => seen.events.push(e), error: (e: unknown) => ((seen.error = e), (seen.done = true)), complete: () => (seen.done = true) });
  return seen;
}

const isExecutionGet = (url: string, init?: RequestInit) => /\/flows\/executions\/[0-9a-f-]{36}$/i.test(url) && (init?.method ?? 'GET') === 'GET';
const isStart = (url: string, init?: RequestInit) => /\/flows\/executions(\/xml)?\?flowId=/.test(url) && init?.method === 'POST';

/** A fetch that rewrites the JSON answers of the requests `which` picks. */
const rewriting = (which: (url: string, init?: RequestInit) => boolean, edit: (body: Record<string, unknown>) => void): typeof fetch => async (input, init) => {
  const response = await fetch(input, init);
  if (!which(String(input), init)) return response;
  const body = (await response.json()) as Record<string, unknown>;
  edit(body);
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
};

// Follow-up of issue 24 item 8: the confirming GET of a terminal status the listing showed is
// checked as the polling follower's final GET is (the rule is in the API layer).
describe("tracking: 'listing': the confirming GET", () => {
  it('refuses an answer for another execution: SmartFlowsResponseError with the executionId, not a FlowExecutionError', async () => {
    const { client, until } = start();
    const c = client({ tracker: { intervalMs: 200 }, fetch: rewriting(isExecutionGet, (body) => (body.id = OTHER_ID)) });
    const run = record(c.run(builtInFlows.error.id, '<A/>', { tracking: 'listing' }));
    await until(() => run.done, 60_000);
    const executionId = run.events[0]?.executionId;
    expect(run.error).toMatchObject({ name: 'SmartFlowsResponseError', executionId, retryable: false });
    expect((run.error as Error).message).toContain(OTHER_ID);
  });
});

// Follow-up of issue 24 item 9 (helper secure's "Unfinished"): with the listing, a failure's
// progress was the last running progress with the status of the execution GET: its message (the
// start answer's here) reached FlowExecutionError's message unredacted.
describe("tracking: 'listing': a failed run's error holds nothing of the key", () => {
  it('whatever form the running message echoed it in', async () => {
    const { simulator, client, until } = start();
    const names = Object.keys(ENCODINGS);
    let n = 0;
    const c = client({
      tracker: { intervalMs: 200 },
      fetch: rewriting(isStart, (body) => {
        const name = names[n++ % names.length]!;
        body.message = `Working for key ${ENCODINGS[name]!(simulator.apiKey)} (${name})`;
        body.note = `extra ${ENCODINGS[name]!(simulator.apiKey)}`;
      }),
    });
    const runs = names.map(() => record(c.run(builtInFlows.error.id, '<A/>', { tracking: 'listing' })));
    await until(() => runs.every((r) => r.done), 60_000);
    const leaks = runs.map((r, i) => {
      expect(r.error).toMatchObject({ name: 'FlowExecutionError', status: 'Error' });
      const error = r.error as Error;
      const text = [error.message, error.stack, String(error), JSON.stringify(error), inspect(error, { depth: Infinity })].join('\n');
      return [names[i], leaksOf(text, simulator.apiKey).length];
    });
    expect(leaks.filter(([, count]) => count !== 0)).toEqual([]);
  });
});
