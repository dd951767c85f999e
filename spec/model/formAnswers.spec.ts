import { describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { inVirtualTime } from '../helpers/startInVirtualTime';

/**
 * A model of ONE form answer (`submitUserInput`) against a flow that asks 1 to 3 forms in a row,
 * the first at `UserInput` or `SelectFlow` (each next one another form, or the same form asked
 * again: at another percentage, as a loop would; the same but for its `formInstanceId`, a field
 * that names the form; or the same but for its `modifiedAt`, a field that does not), and
 * a server whose answers to the form POST are scripted, one per POST: a refused connection
 * (nothing sent), a busy answer (429 or 503) given before the server took the values or after it
 * took them (a gateway's late answer), a 500, 502 or 504 after taking them or not, a connection
 * dropped after sending (taken or not), or a success. A POST reaching a flow that no longer
 * waits for input is answered 409. The progress reads the call sends are answered, in order:
 * fine, 503, or a reset connection. The caller read the form first (a `run`'s event, a
 * `getProgress`), or never did (values for a form seen elsewhere). Checked once the call ended:
 * - the values are taken at most once, and only by the form that waited when the call began
 *   (never by the next one);
 * - a call that succeeded had its values taken; a call that errored says whether they may have
 *   been (`answerMayBeTaken`); without it, they were not;
 * - bounded requests: at most `maxRetries + 1` POSTs reach the server, at most one progress read
 *   per busy answer, nothing else.
 * `MODEL_RUNS=500` for a longer hunt.
 */

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 100);
const BASE = 'https://flows.model.test';
const ID = '00000000-0000-4000-8000-0000000000e1';

type Answer =
  | { kind: 'refused' }
  | { kind: 'busy'; status: 429 | 503; taken: boolean; retryAfter?: number }
  | { kind: 'gateway'; status: 500 | 502 | 504; taken: boolean }
  | { kind: 'dropped'; taken: boolean }
  | { kind: 'ok' };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  fc.constant<Answer>({ kind: 'refused' }),
  fc.record({ kind: fc.constant('busy' as const), status: fc.constantFrom(429 as const, 503 as const), taken: fc.boolean(), retryAfter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('gateway' as const), status: fc.constantFrom(500 as const, 502 as const, 504 as const), taken: fc.boolean() }),
  fc.record({ kind: fc.constant('dropped' as const), taken: fc.boolean() }),
  fc.constant<Answer>({ kind: 'ok' }),
);
const scenario = fc.record({
  answers: fc.array(answer, { minLength: 1, maxLength: 7 }),
  /** The flow's forms after the first: another form, or the first one asked again (a loop). */
  then: fc.array(fc.constantFrom('other' as const, 'again' as const, 'instance' as const, 'stamp' as const), { maxLength: 2 }),
  /** The status the first form waits at (a person fills a form or chooses a flow). */
  firstStatus: fc.constantFrom('User input', 'SelectFlow'),
  /** The progress reads sent during the call, in order: fine, answered 503, or reset. */
  readFaults: fc.array(fc.constantFrom('ok' as const, '503' as const, 'reset' as const), { maxLength: 4 }),
  /** Whether the caller read the form before answering it. */
  readForm: fc.boolean(),
  maxRetries: fc.integer({ min: 0, max: 4 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });

/** The scripted server behind a fake fetch. */
function modelServer(s: Scenario) {
  // Each form: its schema key, the percentage it is asked at, its status and its extra fields.
  const forms = [{ key: 'approved', percentage: 20, status: s.firstStatus, instance: 'f0', stamp: 't0' }];
  s.then.forEach((kind, i) => {
    const last = forms[forms.length - 1]!;
    forms.push(
      kind === 'other' ? { key: `field${i}`, percentage: 40 + 20 * i, status: 'User input', instance: `f${i + 1}`, stamp: `t${i + 1}` }
      : kind === 'again' ? { ...last, percentage: 40 + 20 * i }
      : kind === 'instance' ? { ...last, instance: `f${i + 1}` }
      : { ...last, stamp: `t${i + 1}` },
    );
  });
  let stage = 0;
  const taken: { stage: number; values: unknown }[] = [];
  const log: string[] = [];
  let posts = 0;
  let inCall = false;
  let reads = 0;
  const progress = () => {
    const form = forms[stage];
    return form
      ? { id: ID, percentage: form.percentage, message: 'Please answer', status: form.status, formInstanceId: form.instance, modifiedAt: form.stamp, schema: { type: 'object', properties: { [form.key]: { type: 'string' } } }, model: { [form.key]: '' }, form: [{ key: form.key }] }
      : { id: ID, percentage: 90, message: 'Generate document', status: 'Running' };
  };
  const take = (values: unknown) => {
    if (stage >= forms.length) return false;
    taken.push({ stage, values });
    stage++;
    return true;
  };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const path = new URL(String(input)).pathname.replace('/api/v1', '');
    if (path !== `/flows/executions/${ID}/progress`) return json({ message: 'not found' }, 404);
    if (method === 'GET') {
      log.push('GET');
      const fault = inCall ? (s.readFaults[reads++] ?? 'ok') : 'ok';
      if (fault === 'reset') throw reset();
      return fault === '503' ? json({ message: 'busy' }, 503) : json(progress());
    }
    const script = s.answers[posts++] ?? { kind: 'ok' };
    if (script.kind === 'refused') {
      log.push('refused');
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }
    log.push('POST');
    const values: unknown = JSON.parse(String(init?.body));
    const waiting = stage < forms.length;
    if (script.kind === 'ok') return take(values) ? json(progress()) : json({ message: 'not waiting for user input' }, 409);
    if (script.taken && waiting) take(values);
    if (script.kind === 'busy') return json({ message: 'busy' }, script.status, script.retryAfter !== undefined ? { 'retry-after': String(script.retryAfter) } : {});
    if (script.kind === 'gateway') return json({ message: 'bad gateway' }, script.status);
    throw reset();
  };
  return { fetch, log, taken, startCall: () => ((inCall = true), log.splice(0)), stageNow: () => stage };
}

async function runScenario(s: Scenario) {
  const scheduler = new VirtualTimeScheduler();
  const server = modelServer(s);
  const client = new SmartFlowsClient({
    baseUrl: BASE,
    apiKey: 'sk-model-0123456789',
    scheduler,
    fetch: server.fetch,
    retry: { maxRetries: s.maxRetries, delayMs: 100, maxDelayMs: 4_000, jitter: false },
  });
  if (s.readForm) expect((await inVirtualTime(client.getProgress(ID), scheduler, 10_000)).value).toMatchObject({ status: s.firstStatus === 'SelectFlow' ? 'SelectFlow' : 'UserInput' });
  server.startCall();
  const seen = await inVirtualTime(client.submitUserInput(ID, { answer: 'yes' }), scheduler, 120_000);
  return { seen, server };
}

describe('one form answer against scripted answers and reads (model)', () => {
  test.prop([scenario], { numRuns: NUM_RUNS })('values taken at most once and only by the form asked; an error says whether they may have been; bounded requests', async (s) => {
    const { seen, server } = await runScenario(s);
    expect(seen.done).toBe(true);
    expect(server.taken.length).toBeLessThanOrEqual(1);
    expect(server.taken.every((t) => t.stage === 0)).toBe(true);
    if (seen.error === undefined) {
      expect(server.taken).toHaveLength(1);
    } else if (server.taken.length === 1) {
      expect(seen.error).toMatchObject({ answerMayBeTaken: true });
    }
    const posts = server.log.filter((r) => r === 'POST').length;
    const sent = s.answers.filter((a) => a.kind !== 'refused').slice(0, posts);
    const busyAnswers = sent.filter((a) => a.kind === 'busy').length;
    expect(posts).toBeLessThanOrEqual(s.maxRetries + 1);
    expect(server.log.filter((r) => r === 'GET').length).toBeLessThanOrEqual(busyAnswers);
  });
});
