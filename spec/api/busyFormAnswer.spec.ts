import { describe, expect, it } from '@jest/globals';
import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { busyFormAnswer, formAnswerTaken } from '../../lib/api/busyFormAnswer';
import { DECISIVE_READ_MIN_MS } from '../../lib/api/busyStart';
import type { FlowProgress } from '../../lib/api/types';
import { SmartFlowsHttpError, SmartFlowsNetworkError } from '../../lib/errors';
import { DEFAULTS } from '../../lib/options';

// A form answer (submitUserInput's POST) answered 429 or 503 is never sent again blind: a gateway
// may answer late, after the backend took the values. After the backoff (or Retry-After) one
// progress read, sent once, decides: the same form still waiting → sent again; moved on → the
// call answers with that progress; cannot tell → the busy error with answerMayBeTaken.

const URL = 'https://flows.test/api/v1/flows/executions/6de9206a-de42-4182-8f86-a9a8d29fbd56/progress';
const busy = (status: number, retryAfterMs?: number) =>
  new SmartFlowsHttpError({ status, method: 'POST', url: URL, body: '', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const formA = {
  schema: { type: 'object', properties: { approved: { type: 'boolean' } } },
  model: { approved: false },
  form: [{ key: 'approved' }],
};
const formB = {
  schema: { type: 'object', properties: { comment: { type: 'string' } } },
  model: { comment: '' },
  form: [{ key: 'comment' }],
};
const waiting = (form: object, percentage = 50, message = 'Approve'): FlowProgress => ({ id: ID, percentage, message, status: 'UserInput', rawStatus: 'User input', ...form });
const running = (percentage = 60): FlowProgress => ({ id: ID, percentage, message: 'Generate document', status: 'Running', rawStatus: 'Running' });
// Waits of 1 s, 2 s, 4 s: at least DECISIVE_READ_MIN_MS (1 s) before each read.
const retry = { ...DEFAULTS.retry, maxRetries: 2, delayMs: 1_000, maxDelayMs: 5_000, jitter: false };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Runs busyFormAnswer over marbles: the n-th POST takes `posts[n]`, the n-th read `reads[n]`; gives the send and read times. */
function run(
  form: FlowProgress | undefined,
  posts: string[],
  reads: string[],
  values: Record<string, unknown>,
  expected: string,
  expectedValues: Record<string, unknown>,
  expectedError?: unknown,
) {
  const ts = newScheduler();
  const postedAt: number[] = [];
  const readAt: number[] = [];
  ts.run(({ expectObservable }) => {
    const post = (): Observable<FlowProgress> =>
      defer(() => {
        postedAt.push(ts.now());
        return ts.createColdObservable<FlowProgress>(posts[postedAt.length - 1]!, values as Record<string, FlowProgress>, values['#']);
      });
    const read = (): Observable<FlowProgress> =>
      defer(() => {
        readAt.push(ts.now());
        return ts.createColdObservable<FlowProgress>(reads[readAt.length - 1]!, values as Record<string, FlowProgress>, values['!']);
      });
    expectObservable(busyFormAnswer({ post, read, form: () => form, retry, scheduler: ts })).toBe(expected, expectedValues, expectedError);
  });
  return { postedAt, readAt };
}

/** The error the call ends with (and the requests), outside a marble expectation. */
function errorOfRun(form: FlowProgress | undefined, error: unknown, read: string, readValues: Record<string, FlowProgress>, readError?: unknown) {
  const ts = newScheduler();
  let posts = 0;
  let reads = 0;
  let caught: unknown;
  ts.run(({ flush }) => {
    busyFormAnswer({
      post: () => defer(() => (posts++, ts.createColdObservable<FlowProgress>('-#', {}, error))),
      read: () => defer(() => (reads++, ts.createColdObservable<FlowProgress>(read, readValues, readError))),
      form: () => form,
      retry,
      scheduler: ts,
    }).subscribe({ error: (e: unknown) => (caught = e) });
    flush();
  });
  return { posts, reads, caught };
}

describe('busyFormAnswer (a form answer answered 429 or 503)', () => {
  it('the happy path: one POST, no read, no wait', () => {
    const seen = run(waiting(formA), ['--(p|)'], [], { p: running() }, '--(p|)', { p: running() });
    expect(seen).toEqual({ postedAt: [0], readAt: [] });
  });

  it('a 503 with Retry-After 2 s that came after the server took the values: waits 2 s, reads once, the flow moved on: that progress, no second POST', () => {
    const seen = run(waiting(formA), ['-#'], ['---(r|)'], { '#': busy(503, 2_000), r: running(70) }, '- 2000ms --- (r|)', { r: running(70) });
    expect(seen).toEqual({ postedAt: [0], readAt: [2_001] });
  });

  it('a 429 whose read shows the next form (another schema): the values were taken: that progress, no second POST', () => {
    const next = waiting(formB, 80, 'Comment');
    const seen = run(waiting(formA), ['-#'], ['-(r|)'], { '#': busy(429), r: next }, '- 1000ms - (r|)', { r: next });
    expect(seen).toEqual({ postedAt: [0], readAt: [1_001] });
  });

  it.each([
    ['ended in Success', { ...running(100), status: 'Success', rawStatus: 'Success' } as FlowProgress],
    ['ended in Error', { ...running(60), status: 'Error', rawStatus: 'Error' } as FlowProgress],
    ['waiting for an external event', { ...running(60), status: 'Waiting', rawStatus: 'Waiting' } as FlowProgress],
  ])('a 503 whose read shows the execution %s: that progress, no second POST', (_name, read) => {
    const seen = run(waiting(formA), ['-#'], ['-(r|)'], { '#': busy(503), r: read }, '- 1000ms - (r|)', { r: read });
    expect(seen.postedAt).toEqual([0]);
  });

  it('a 503 before the server took anything: the read shows the same form, unchanged: sent again at once after the read', () => {
    const seen = run(waiting(formA), ['-#', '-(p|)'], ['-(r|)'], { '#': busy(503), r: waiting(formA), p: running() }, '- 1000ms -- (p|)', { p: running() });
    expect(seen).toEqual({ postedAt: [0, 1_002], readAt: [1_001] });
  });

  it('busy answers back off as the http layer does (1 s, then 2 s), one read each, at most maxRetries resends; after the last: the busy error, saying nothing was taken', () => {
    const error = busy(503);
    const seen = run(waiting(formA), ['-#', '-#', '-#'], ['(r|)', '(r|)', '(r|)'], { '#': error, r: waiting(formA) }, '- 1000ms - 2000ms - 4000ms #', {}, error);
    expect(seen.postedAt).toEqual([0, 1_001, 3_002]);
    expect(seen.readAt).toEqual([1_001, 3_002, 7_003]);
  });

  it('a read that fails (sent once, answered 503): nothing sent again, the busy error with answerMayBeTaken', () => {
    const error = busy(503);
    const { posts, reads, caught } = errorOfRun(waiting(formA), error, '-#', {}, busy(503));
    expect({ posts, reads }).toEqual({ posts: 1, reads: 1 });
    expect(caught).toMatchObject({ name: 'SmartFlowsHttpError', status: 503, answerMayBeTaken: true });
    expect((caught as Error).message).toMatch(/may have been taken/);
  });

  it.each([
    ['the form this client last read is unknown', undefined, waiting(formA)],
    ['the same form with other current values (asked again with the answer in it?)', waiting(formA), waiting({ ...formA, model: { approved: true } })],
    ['the same form at another percentage (a loop asking it again?)', waiting(formA), waiting(formA, 75)],
  ])('a read still waiting for input when %s: cannot tell, nothing sent again, answerMayBeTaken', (_name, form, read) => {
    const { posts, reads, caught } = errorOfRun(form, busy(429), '-(r|)', { r: read });
    expect({ posts, reads }).toEqual({ posts: 1, reads: 1 });
    expect(caught).toMatchObject({ status: 429, answerMayBeTaken: true });
  });

  it('the form is the one known before the first POST: a poll that sees the next form during the backoff does not make it "the same form"', () => {
    const ts = newScheduler();
    let known = waiting(formA);
    let asked = 0;
    let posts = 0;
    const next = waiting(formB, 80, 'Comment');
    ts.run(({ expectObservable }) => {
      const answer$ = busyFormAnswer({
        post: () => defer(() => (posts++, ts.createColdObservable<FlowProgress>('-#', {}, busy(503)))),
        // A run's poll during the wait notes the next form (the values were taken late).
        read: () => ts.createColdObservable<FlowProgress>('-(r|)', { r: next }),
        form: () => (asked++, known),
        retry,
        scheduler: ts,
      });
      ts.schedule(() => (known = next), 5);
      expectObservable(answer$).toBe('- 1000ms - (r|)', { r: next });
    });
    expect({ posts, asked }).toEqual({ posts: 1, asked: 1 });
  });

  it.each([
    ['a 500', new SmartFlowsHttpError({ status: 500, method: 'POST', url: URL, body: '' })],
    ['a 502', new SmartFlowsHttpError({ status: 502, method: 'POST', url: URL, body: '' })],
    ['a reset after sending', new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true })],
  ])('%s is not busy: passed on at once, nothing read or sent again', (_name, error) => {
    const seen = run(waiting(formA), ['-#'], [], { '#': error }, '-#', {}, error);
    expect(seen).toEqual({ postedAt: [0], readAt: [] });
  });
});

describe('formAnswerTaken (what "the same form" means)', () => {
  it.each([
    ['moved on (Running)', waiting(formA), running(), 'taken'],
    ['another form (schema and layout differ)', waiting(formA), waiting(formB, 80), 'taken'],
    ['another block (currentData differs)', waiting({ ...formA, currentData: { id: 'a', displayName: 'A', type: 'form' } }), waiting({ ...formA, currentData: { id: 'b', displayName: 'B', type: 'form' } }), 'taken'],
    ['the same form, unchanged', waiting(formA), waiting(formA), 'waiting'],
    ['the same form, its keys in another order', waiting(formA), waiting({ form: formA.form, model: formA.model, schema: { properties: formA.schema.properties, type: 'object' } }), 'waiting'],
    ['the same form with another model', waiting(formA), waiting({ ...formA, model: { approved: true } }), 'unknown'],
    ['the same form with another message', waiting(formA), waiting(formA, 50, 'Approve again'), 'unknown'],
    ['a form while none was known', undefined, waiting(formA), 'unknown'],
    ['moved on while no form was known', undefined, running(), 'taken'],
  ] as const)('%s: %s', (_name, form, read, expected) => {
    expect(formAnswerTaken(form, read)).toBe(expected);
  });

  // Every field the client keeps of the progress counts (parseProgress keeps them all): a field
  // that names the form or its stage tells another form (taken); any other difference cannot tell.
  const selecting = (extra: object = {}): FlowProgress => ({ id: ID, percentage: 50, message: 'Choose a flow', status: 'SelectFlow', rawStatus: 'SelectFlow', ...extra });
  it.each([
    ['the next form differs only in formInstanceId', waiting({ ...formA, formInstanceId: 'step-0' }), waiting({ ...formA, formInstanceId: 'step-1' }), 'taken'],
    ['the next form differs only in stageId', waiting({ ...formA, stageId: 's1' }), waiting({ ...formA, stageId: 's2' }), 'taken'],
    ['a formInstanceId appears only in the read', waiting(formA), waiting({ ...formA, formInstanceId: 'step-1' }), 'taken'],
    ['only modifiedAt differs', waiting({ ...formA, modifiedAt: '2026-12-07T18:00:00Z' }), waiting({ ...formA, modifiedAt: '2026-12-07T18:00:01Z' }), 'unknown'],
    ['an unknown extra field differs (nested)', waiting({ ...formA, extra: { a: [1, 2] } }), waiting({ ...formA, extra: { a: [1, 3] } }), 'unknown'],
    ['the status spelled another way only', waiting(formA), { ...waiting(formA), rawStatus: 'USER_INPUT' }, 'unknown'],
    ['every kept field equal, extra fields in another order', waiting({ ...formA, stageId: 's1', modifiedAt: 'm' }), waiting({ modifiedAt: 'm', stageId: 's1', ...formA }), 'waiting'],
    ['SelectFlow still waiting, unchanged', selecting({ stageId: 's1' }), selecting({ stageId: 's1' }), 'waiting'],
    ['SelectFlow, the read at another stage', selecting({ stageId: 's1' }), selecting({ stageId: 's2' }), 'taken'],
    ['SelectFlow, another message only', selecting(), { ...selecting(), message: 'Choose again' }, 'unknown'],
    ['SelectFlow, the read a form (UserInput)', selecting(), waiting(formA), 'taken'],
    ['SelectFlow, the read running', selecting(), running(), 'taken'],
    ['a form, the read choosing a flow (SelectFlow)', waiting(formA), selecting(), 'taken'],
    ['SelectFlow while no form was known', undefined, selecting(), 'unknown'],
  ] as const)('every kept field counts: %s', (_name, form, read, expected) => {
    expect(formAnswerTaken(form, read)).toBe(expected);
  });
});

describe('the wait before a busy form answer\'s read (a backend a little behind the gateway)', () => {
  it('full jitter drawing 0: the read still waits DECISIVE_READ_MIN_MS after the busy answer, never ~0 ms', () => {
    const ts = newScheduler();
    const readAt: number[] = [];
    ts.run(({ flush }) => {
      busyFormAnswer({
        post: () => ts.createColdObservable<FlowProgress>('-#', {}, busy(503)),
        read: () => defer(() => (readAt.push(ts.now()), ts.createColdObservable<FlowProgress>('-(r|)', { r: running() }))),
        form: () => waiting(formA),
        retry: { ...DEFAULTS.retry, delayMs: 500, jitter: true },
        scheduler: ts,
        random: () => 0,
      }).subscribe();
      flush();
    });
    expect(readAt).toEqual([1 + DECISIVE_READ_MIN_MS]);
  });
});
