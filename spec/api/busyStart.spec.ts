import { describe, expect, it } from '@jest/globals';
import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { busyStart, DECISIVE_READ_MIN_MS, decisiveWaitMs, SERVER_DATE_TOLERANCE_MS } from '../../lib/api/busyStart';
import type { FlowProgress } from '../../lib/api/types';
import type { Reconciled } from '../../lib/batch/reconcile';
import { SmartFlowsHttpError, SmartFlowsNetworkError } from '../../lib/errors';
import type { ServerDate } from '../../lib/http/serverDate';
import { DEFAULTS } from '../../lib/options';

// The waits of a start answered busy, in virtual time: each busy answer waits its backoff (or the
// server's Retry-After) before the one look, a resend follows the look at once, and nothing is
// looked up after an answer that is not busy.

const URL = 'https://flows.test/api/v1/flows/executions';
const busy = (status: number, retryAfterMs?: number) =>
  new SmartFlowsHttpError({ status, method: 'POST', url: URL, body: '', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const progress = (id: string): FlowProgress => ({ id, percentage: 0, message: '', status: 'Running', rawStatus: 'Running' });
// Waits of 1 s, 2 s, 4 s: at least DECISIVE_READ_MIN_MS (1 s) before each look.
const retry = { ...DEFAULTS.retry, maxRetries: 2, delayMs: 1_000, maxDelayMs: 5_000, jitter: false };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Runs busyStart over marbles: the n-th POST takes `posts[n]`, the n-th look `looks[n]`; gives the send and look times. */
function run(
  posts: string[],
  looks: string[],
  values: Record<string, unknown>,
  expected: string,
  expectedValues: Record<string, unknown>,
  expectedError?: unknown,
  serverDate?: (now: number) => ServerDate | undefined,
) {
  const ts = newScheduler();
  const postedAt: number[] = [];
  const lookedAt: { at: number; sinceMs: number; cutoffMs?: number }[] = [];
  const adopted: string[] = [];
  ts.run(({ expectObservable }) => {
    const post = (): Observable<FlowProgress> =>
      defer(() => {
        postedAt.push(ts.now());
        return ts.createColdObservable<FlowProgress>(posts[postedAt.length - 1]!, values as Record<string, FlowProgress>, values['#']);
      });
    const look = (sinceMs: number, cutoffMs?: number): Observable<Reconciled> =>
      defer(() => {
        lookedAt.push({ at: ts.now(), sinceMs, ...(cutoffMs !== undefined ? { cutoffMs } : {}) });
        return ts.createColdObservable<Reconciled>(looks[lookedAt.length - 1]!, values as Record<string, Reconciled>);
      });
    const adopt = (id: string) =>
      defer(() => {
        adopted.push(id);
        return ts.createColdObservable<FlowProgress>('--(a|)', { a: progress(id) });
      });
    // The busy error's Date as the transport would have noted it on the error (the test's own clock: the marble frames).
    const told = serverDate ? { serverDateOf: () => serverDate(ts.now()) } : {};
    expectObservable(busyStart({ post, look, adopt, retry, scheduler: ts, ...told })).toBe(expected, expectedValues, expectedError);
  });
  return { postedAt, lookedAt, adopted };
}

describe('busyStart (a start answered 429 or 503)', () => {
  it('the happy path: one POST, no look, no wait', () => {
    const seen = run(['--(p|)'], [], { p: progress('A') }, '--(p|)', { p: progress('A') });
    expect(seen).toEqual({ postedAt: [0], lookedAt: [], adopted: [] });
  });

  it('a 503 with Retry-After 2 s: waits 2 s, looks once (since the first POST), finds it made and adopts it: no second POST', () => {
    const found: Reconciled = { kind: 'adopt', executionId: 'B' };
    const seen = run(['-#'], ['---(f|)'], { '#': busy(503, 2_000), f: found }, `- 2000ms ----- (a|)`, { a: progress('B') });
    expect(seen).toEqual({ postedAt: [0], lookedAt: [{ at: 2_001, sinceMs: 0 }], adopted: ['B'] });
  });

  it('a 429 without Retry-After: waits the backoff (1 s, then 2 s), looks, none: sends again at once', () => {
    const none: Reconciled = { kind: 'none' };
    const seen = run(['-#', '-#', '-(p|)'], ['-(n|)', '-(n|)'], { '#': busy(429), n: none, p: progress('C') }, `- 1000ms -- 2000ms -- (p|)`, { p: progress('C') });
    expect(seen.postedAt).toEqual([0, 1_002, 3_004]);
    // Every look covers the window from the first POST.
    expect(seen.lookedAt).toEqual([{ at: 1_001, sinceMs: 0 }, { at: 3_003, sinceMs: 0 }]);
  });

  it('a look that cannot tell (listing refused): no second POST, the busy error with executionMayExist', () => {
    const uncertain: Reconciled = { kind: 'uncertain', reason: 'the listing answered 404', candidateIds: [] };
    const error = busy(503);
    const ts = newScheduler();
    let posts = 0;
    let caught: unknown;
    ts.run(({ flush }) => {
      busyStart({
        post: () => defer(() => (posts++, ts.createColdObservable<FlowProgress>('-#', {}, error))),
        look: () => ts.createColdObservable<Reconciled>('-(u|)', { u: uncertain }),
        adopt: () => { throw new Error('not adopted'); },
        retry,
        scheduler: ts,
      }).subscribe({ error: (e: unknown) => (caught = e) });
      flush();
    });
    expect(posts).toBe(1);
    expect(caught).toMatchObject({ name: 'SmartFlowsHttpError', status: 503, executionMayExist: true });
    expect((caught as Error).message).toMatch(/execution may exist/);
  });

  it('after maxRetries busy answers the last one is looked up too; none found: the error as answered', () => {
    const error = busy(503);
    const seen = run(['-#', '-#', '-#'], ['(n|)', '(n|)', '(n|)'], { '#': error, n: { kind: 'none' } }, `- 1000ms - 2000ms - 4000ms #`, {}, error);
    expect(seen.postedAt).toEqual([0, 1_001, 3_002]);
    expect(seen.lookedAt.map((l) => l.at)).toEqual([1_001, 3_002, 7_003]);
  });

  it.each([
    ['a 502', new SmartFlowsHttpError({ status: 502, method: 'POST', url: URL, body: '' })],
    ['a 500', new SmartFlowsHttpError({ status: 500, method: 'POST', url: URL, body: '' })],
    ['a reset after sending', new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true })],
  ])('%s is not busy: passed on at once, nothing looked up or sent again', (_name, error) => {
    const seen = run(['-#'], [], { '#': error }, '-#', {}, error);
    expect(seen).toEqual({ postedAt: [0], lookedAt: [], adopted: [] });
  });

  // The server's time of a busy answer (its Date, noted on the busy error by the transport with when it came):
  // the look's window starts at that Date less the time since the first POST less the tolerance.
  const SERVER_T = Date.UTC(2026, 11, 7, 14, 0, 0);

  it('a busy answer with the server\'s Date: the look\'s window starts at that Date less the time since the first POST less the tolerance', () => {
    const none: Reconciled = { kind: 'none' };
    // The first answer came at 5 (in flight 5 ms) saying SERVER_T; the second came 5 ms after its POST at 1006, without a Date.
    const seen = run(['-----#', '-----#', '-(p|)'], ['-(n|)', '-(n|)'], { '#': busy(503), n: none, p: progress('D') }, `3013ms (p|)`, { p: progress('D') }, undefined, (now) =>
      now >= 5 ? { dateMs: SERVER_T, atMs: 5 } : undefined,
    );
    expect(seen.postedAt).toEqual([0, 1_006, 3_012]);
    // Both looks: SERVER_T − (5 − 0) − tolerance; the second answer's stale Date (noted at 5, before its POST at 1006) is not taken anew.
    expect(seen.lookedAt).toEqual([
      { at: 1_005, sinceMs: 0, cutoffMs: SERVER_T - 5 - SERVER_DATE_TOLERANCE_MS },
      { at: 3_011, sinceMs: 0, cutoffMs: SERVER_T - 5 - SERVER_DATE_TOLERANCE_MS },
    ]);
  });

  it('a Date noted before the POST was sent (another, older answer) is not used: the hour\'s window', () => {
    const seen = run(['-#', '-(p|)'], ['-(n|)'], { '#': busy(429), n: { kind: 'none' }, p: progress('E') }, `- 1000ms -- (p|)`, { p: progress('E') }, undefined, () => ({ dateMs: SERVER_T, atMs: -1 }));
    expect(seen.lookedAt).toEqual([{ at: 1_001, sinceMs: 0 }]);
  });
});

describe('the wait before a busy start\'s look (a backend or listing a little behind the gateway)', () => {
  const jittered = { ...DEFAULTS.retry, maxRetries: 1, delayMs: 500, maxDelayMs: 30_000, jitter: true };
  /** The times of the POSTs and looks, with the jitter drawing `r`. */
  const times = (r: number, retryAfterMs?: number) => {
    const ts = newScheduler();
    const postedAt: number[] = [];
    const lookedAt: number[] = [];
    ts.run(({ flush }) => {
      busyStart({
        post: () => defer(() => (postedAt.push(ts.now()), ts.createColdObservable<FlowProgress>('-#', {}, busy(503, retryAfterMs)))),
        look: () => defer(() => (lookedAt.push(ts.now()), ts.createColdObservable<Reconciled>('-(n|)', { n: { kind: 'none' } }))),
        adopt: () => { throw new Error('not adopted'); },
        retry: jittered,
        scheduler: ts,
        random: () => r,
      }).subscribe({ error: () => undefined });
      flush();
    });
    return { postedAt, lookedAt };
  };

  it('full jitter drawing 0: the look still waits DECISIVE_READ_MIN_MS after the busy answer, never ~0 ms', () => {
    expect(DECISIVE_READ_MIN_MS).toBe(1_000);
    expect(times(0)).toEqual({ postedAt: [0, 1_002], lookedAt: [1_001, 2_003] });
  });

  it('a backoff or Retry-After longer than the floor is kept as it is', () => {
    expect(times(0, 3_000).lookedAt).toEqual([3_001, 6_003]);
  });

  it('decisiveWaitMs: at least the floor, else the backoff with Retry-After', () => {
    expect(decisiveWaitMs(1, jittered, undefined, () => 0)).toBe(1_000);
    expect(decisiveWaitMs(3, jittered, undefined, () => 1)).toBe(2_000);
    expect(decisiveWaitMs(1, jittered, 5_000, () => 0)).toBe(5_000);
  });
});
