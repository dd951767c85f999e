import { describe, expect, it } from '@jest/globals';
import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backoffDelay, isRetryable, retryRequest, type RetryMode } from '../../lib/http/retry';
import {
  SmartFlowsHttpError,
  SmartFlowsInputError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../../lib/errors';
import { DEFAULTS, MAX_TIMER_MS, type NormalizedOptions } from '../../lib/options';

const URL = 'https://flows.test/api/v1/flows/executions';
const http = (status: number, retryAfterMs?: number) =>
  new SmartFlowsHttpError({ status, method: 'GET', url: URL, body: '', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const network = (maybeReceived: boolean) => new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived });
const timeout = () => new SmartFlowsTimeoutError('late', 10);
const garbled = () => new SmartFlowsResponseError('not JSON', { retryable: true });
const invalid = () => new SmartFlowsResponseError('bad schema');

const policy = (overrides: Partial<NormalizedOptions['retry']> = {}): NormalizedOptions['retry'] => ({ ...DEFAULTS.retry, jitter: false, ...overrides });
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * A fake transport: each subscription takes the next marble; records the virtual time of each.
 * The last marble is reused once the list runs out.
 */
function fakeTransport(ts: TestScheduler, marbles: string[], errors: Record<string, unknown>) {
  const sentAt: number[] = [];
  let i = 0;
  const request$: Observable<string> = defer(() => {
    sentAt.push(ts.now());
    const marble = marbles[Math.min(i++, marbles.length - 1)]!;
    return ts.createColdObservable<string>(marble, { r: 'response' }, errors['#']);
  });
  return { request$, sentAt };
}

describe('isRetryable', () => {
  it.each([
    [400, false, false], [401, false, false], [403, false, false], [404, false, false], [409, false, false],
    [408, true, false], [429, true, true], [500, true, false], [501, true, false], [502, true, false],
    [503, true, true], [504, true, false],
  ])('HTTP %i: retried on a GET %s, on the start POST %s', (status, idempotent, start) => {
    expect(isRetryable(http(status), 'idempotent')).toBe(idempotent);
    expect(isRetryable(http(status), 'start')).toBe(start);
  });

  it.each<[string, boolean, boolean, () => unknown]>([
    ['a refused connection', true, true, () => network(false)],
    ['a reset after sending', true, false, () => network(true)],
    ['a request timeout', true, false, timeout],
    ['a body that is not JSON', true, false, garbled],
    ['a body that fails the schema', false, false, invalid],
    ['bad input', false, false, () => new SmartFlowsInputError('bad')],
    ['a foreign error', false, false, () => new TypeError('boom')],
  ])('%s: retried on a GET %s, on the start POST %s', (_, idempotent, start, make) => {
    expect(isRetryable(make(), 'idempotent')).toBe(idempotent);
    expect(isRetryable(make(), 'start')).toBe(start);
  });
});

describe('backoffDelay', () => {
  it('doubles from delayMs on each attempt and stops at maxDelayMs', () => {
    const retry = policy({ delayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, retry))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('does not overflow on a very high attempt number', () => {
    expect(backoffDelay(10_000, policy({ delayMs: 500, maxDelayMs: 30_000 }))).toBe(30_000);
  });

  it.each([0, 0.25, 0.5, 0.999999])('with full jitter stays between 0 and the ceiling (random = %f)', (r) => {
    const retry = policy({ delayMs: 100, maxDelayMs: 10_000, jitter: true });
    for (const attempt of [1, 2, 3, 4]) {
      const ceiling = 100 * 2 ** (attempt - 1);
      const delay = backoffDelay(attempt, retry, undefined, () => r);
      expect(delay).toBe(Math.round(ceiling * r));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('waits for Retry-After when the server asks for longer than the backoff', () => {
    expect(backoffDelay(1, policy({ delayMs: 100 }), 5000)).toBe(5000);
  });

  it('keeps the backoff when Retry-After asks for less', () => {
    expect(backoffDelay(3, policy({ delayMs: 100 }), 50)).toBe(400);
  });

  it('clamps Retry-After at maxDelayMs', () => {
    expect(backoffDelay(1, policy({ delayMs: 100, maxDelayMs: 2000 }), 60_000)).toBe(2000);
  });

  it('never gives a delay above 2^31-1 ms, where Node timers fire at once', () => {
    const retry = policy({ delayMs: MAX_TIMER_MS, maxDelayMs: MAX_TIMER_MS });
    expect(backoffDelay(40, retry, Number.MAX_SAFE_INTEGER)).toBe(MAX_TIMER_MS);
  });
});

describe('retryRequest', () => {
  type Expected = { marble: string; values?: Record<string, unknown>; error?: unknown };
  /** Runs the fake transport under the policy, checks the marble, gives the send times. */
  const run = (
    mode: RetryMode,
    marbles: string[],
    error: unknown,
    expected: Expected,
    retry = policy({ delayMs: 10, maxRetries: 3 }),
    random?: () => number,
  ) => {
    const ts = newScheduler();
    let sentAt: number[] = [];
    ts.run(({ expectObservable }) => {
      const fake = fakeTransport(ts, marbles, { '#': error });
      sentAt = fake.sentAt;
      expectObservable(fake.request$.pipe(retryRequest(retry, ts, mode, random))).toBe(expected.marble, expected.values, expected.error);
    });
    return sentAt;
  };
  const answered = (marble: string): Expected => ({ marble, values: { r: 'response' } });

  it('retries a 503 with backoff 10, 20, 40 ms, then gives the answer', () => {
    // Each request fails after 1 frame; the 4th answers.
    const sent = run('idempotent', ['-#', '-#', '-#', '-(r|)'], http(503), answered('- 10ms - 20ms - 40ms -(r|)'));
    expect(sent).toEqual([0, 11, 32, 73]);
  });

  it('gives up after maxRetries consecutive failures with the last error', () => {
    const error = http(502);
    const sent = run('idempotent', ['-#'], error, { marble: '- 10ms - 20ms - 40ms -#', error });
    expect(sent).toHaveLength(4);
  });

  it('sends a 404 once and fails at once', () => {
    const error = http(404);
    expect(run('idempotent', ['-#'], error, { marble: '-#', error })).toEqual([0]);
  });

  it('sends nothing again when maxRetries is 0', () => {
    const error = http(503);
    expect(run('idempotent', ['-#'], error, { marble: '-#', error }, policy({ delayMs: 10, maxRetries: 0 }))).toEqual([0]);
  });

  it('waits the Retry-After the server asked for instead of the shorter backoff', () => {
    expect(run('idempotent', ['-#', '-(r|)'], http(429, 500), answered('- 500ms -(r|)'))).toEqual([0, 501]);
  });

  it('clamps a huge Retry-After at maxDelayMs', () => {
    const retry = policy({ delayMs: 10, maxDelayMs: 1000, maxRetries: 3 });
    expect(run('idempotent', ['-#', '-(r|)'], http(429, MAX_TIMER_MS), answered('- 1000ms -(r|)'), retry)).toEqual([0, 1001]);
  });

  it('spreads retries with the injected jitter', () => {
    const retry = policy({ delayMs: 10, maxRetries: 3, jitter: true });
    expect(run('idempotent', ['-#', '-#', '-(r|)'], http(503), answered('- 5ms - 10ms -(r|)'), retry, () => 0.5)).toEqual([0, 6, 17]);
  });

  it('retries the start POST after a refused connection', () => {
    expect(run('start', ['-#', '-(r|)'], network(false), answered('- 10ms -(r|)'))).toEqual([0, 11]);
  });

  it.each([
    ['a 500', http(500)],
    ['a 502', http(502)],
    ['a reset', network(true)],
    ['a timeout', timeout()],
    ['a garbled answer', garbled()],
  ])('never sends the start POST again after %s', (_, error) => {
    expect(run('start', ['-#'], error, { marble: '-#', error })).toEqual([0]);
  });

  it.each([[429], [503]])('sends the start POST again after a %i', (status) => {
    expect(run('start', ['-#', '-(r|)'], http(status), answered('- 10ms -(r|)'))).toEqual([0, 11]);
  });
});
