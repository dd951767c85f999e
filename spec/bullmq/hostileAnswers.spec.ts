import { describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import { SmartFlowsInputError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { fakeJob, isUnrecoverable, settledState } from './fakeJob';

// The attack on the BullMQ processor (attack/e1, e5, e7, e7b): answers to a start that a gateway
// or a busy server gives, and BullMQ's cancel. Each test is the attack's case in virtual time.

const start = useVirtualSimulator();
const SHORT = builtInFlows.short.id;
const LONG = builtInFlows.long.id;
const letter = (n: number) => `<Letter><No>${n}</No></Letter>`;
const RATE_LIMIT_ERROR = 'bullmq:rateLimitExceeded';

/** `worker.rateLimit(ms)` as Redis takes it: `SET … PX ms` refuses anything but a whole number ≥ 1. */
const redisLikeRateLimit = () =>
  jest.fn(async (ms: number) => {
    if (!Number.isInteger(ms)) throw new Error('ERR value is not an integer or out of range');
    if (ms < 1) throw new Error("ERR invalid expire time in 'set' command");
  });

/** A fetch that answers the start POST `status` (with `retryAfter` when given) and sends the rest to the simulator. */
const busyStarts = (status: number, retryAfter?: string) => (input: RequestInfo | URL, init?: RequestInit) =>
  init?.method === 'POST'
    ? Promise.resolve(new Response('{"message":"busy"}', { status, headers: { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) } }))
    : globalThis.fetch(input, init);

describe('flowProcessor against hostile start answers (attack on issue 29)', () => {
  // Item 1: a zero, fractional or past Retry-After made worker.rateLimit throw a Redis error (and a
  // 1 ms floor let the fleet send 208 starts in 3 s to a server answering 429: the floor is 250 ms).
  it.each([
    [429, '0', 250],
    [503, '0', 250],
    [429, '0.0004', 250],
    [429, '1.0005', 1001],
    [503, 'Thu, 01 Jan 1970 00:00:00 GMT', 250],
  ])('a %s with Retry-After %s hands rateLimit a whole number of ms ≥ 250 (%s) and ends with RateLimitError', async (status, retryAfter, expected) => {
    const sim = start();
    const rateLimit = redisLikeRateLimit();
    const { job } = fakeJob({ flowId: SHORT, input: letter(1) });
    const seen = settledState(flowProcessor(sim.client({ fetch: busyStarts(status, retryAfter) }), { scheduler: sim.scheduler, rateLimit })(job));
    await sim.until(() => seen.settled, 5_000);
    expect((seen.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(rateLimit.mock.calls).toEqual([[expected]]);
    await expect(rateLimit.mock.results[0]!.value).resolves.toBeUndefined();
  });

  it('ends the attempt with RateLimitError (no attempt used) even when rateLimit itself throws', async () => {
    const sim = start();
    const rateLimit = jest.fn(async (_ms: number) => {
      throw new Error('Connection is closed.');
    });
    const { job } = fakeJob({ flowId: SHORT, input: letter(2) });
    const seen = settledState(flowProcessor(sim.client({ fetch: busyStarts(429, '3') }), { scheduler: sim.scheduler, rateLimit })(job));
    await sim.until(() => seen.settled, 5_000);
    expect((seen.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(rateLimit).toHaveBeenCalledTimes(1);
  });

  it.each([0, 1.5, -1, Number.NaN])('refuses rateLimitMs %s with a clear error (Redis takes whole ms ≥ 1)', (rateLimitMs) => {
    const sim = start();
    expect(() => flowProcessor(sim.client(), { rateLimitMs })).toThrow(new SmartFlowsInputError('rateLimitMs must be a whole number of ms ≥ 1'));
  });

  // Item 2: with rateLimit, a 503 without Retry-After was neither retried by the client nor a pause: the attempt was burned.
  it('with rateLimit, a 503 without Retry-After is busy like a 429: rateLimit(rateLimitMs) and RateLimitError, one start request', async () => {
    const sim = start();
    const rateLimit = redisLikeRateLimit();
    const { job } = fakeJob({ flowId: SHORT, input: letter(3) });
    const client = sim.client({ fetch: busyStarts(503) });
    const seen = settledState(flowProcessor(client, { scheduler: sim.scheduler, rateLimit, rateLimitMs: 2_500 })(job));
    await sim.until(() => seen.settled, 5_000);
    expect((seen.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(rateLimit.mock.calls).toEqual([[2_500]]);
  });

  // Item 3: a gateway's 503 after the backend created the execution; the job restarted blind (a duplicate).
  it.each([
    ['503 with Retry-After', 503, '1'],
    ['503 without Retry-After', 503, undefined],
    ['429', 429, '1'],
  ])('a %s that came after the server made the execution: startingAt stays, the next attempt adopts it (one execution)', async (_name, status, retryAfter) => {
    const sim = start();
    const rateLimit = redisLikeRateLimit();
    let lateAnswers = 1;
    const client = sim.client({
      fetch: async (input, init) => {
        const answer = await globalThis.fetch(input, init);
        if (init?.method !== 'POST' || lateAnswers-- <= 0) return answer;
        return new Response('upstream timed out', { status, headers: retryAfter !== undefined ? { 'retry-after': retryAfter } : {} });
      },
    });
    const processor = flowProcessor(client, { scheduler: sim.scheduler, rateLimit });
    const { job } = fakeJob({ flowId: SHORT, input: letter(4) });
    const first = settledState(processor(job));
    await sim.until(() => first.settled, 5_000);
    expect((first.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(job.data.startingAt).toEqual(expect.any(String));
    expect(sim.simulator.stats.executionsStarted).toBe(1);

    const second = settledState(processor(job));
    await sim.until(() => second.settled, 60_000);
    expect(second.result).toMatchObject({ status: 'Success', resumedAs: 'adopted' });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  // Item 4a: worker.cancelJob on a job with attempts left: BullMQ retried it and it completed.
  it('a cancelled job fails for good (UnrecoverableError with the reason), so BullMQ does not retry it', async () => {
    const sim = start();
    const controller = new AbortController();
    const { job } = fakeJob({ flowId: LONG, input: letter(5) });
    const seen = settledState(flowProcessor(sim.client(), { scheduler: sim.scheduler })(job, 'token', controller.signal));
    await sim.until(() => job.updateProgress.mock.calls.length > 0);
    controller.abort('user asked');
    await sim.until(() => seen.settled, 5_000);
    expect(isUnrecoverable(seen.error)).toBe(true);
    expect((seen.error as Error).message).toBe('The job was cancelled: user asked');
  });

  // Item 4b: with cancelOnAbort, an abort before the watch's first answer sent no DELETE though the executionId was recorded.
  it('with cancelOnAbort, an abort right after the start answered (before any progress) cancels the recorded execution', async () => {
    const sim = start();
    const client = sim.client();
    const controller = new AbortController();
    const { job } = fakeJob({ flowId: LONG, input: letter(6) });
    job.updateData.mockImplementation(async (next) => {
      job.data = next;
      if (next.executionId !== undefined) controller.abort(new Error('stop'));
    });
    const seen = settledState(flowProcessor(client, { scheduler: sim.scheduler, cancelOnAbort: true })(job, 'token', controller.signal));
    await sim.until(() => seen.settled, 5_000);
    expect(isUnrecoverable(seen.error)).toBe(true);
    expect((seen.error as Error).message).toBe('stop');
    expect(sim.simulator.stats.byRoute.cancel).toBe(1);
    await sim.advance(2_000);
    expect((await lastValueFrom(client.getExecution(job.data.executionId!))).status).toBe('Canceled');
  });
});

// Item 5: a progress request answered 429 (attack e5/e1 on the follow path). The client's retries
// answer it; past them the attempt fails with the 429 (not final) and the job's next attempt follows
// the same execution. These pin the figures docs/bullmq.md gives.
describe('flowProcessor when progress requests are answered 429', () => {
  it.each([
    { name: 'without Retry-After', retryAfterSeconds: undefined, waitedMs: 7_500 },
    { name: 'with Retry-After: 10', retryAfterSeconds: 10, waitedMs: 40_000 },
  ])('$name: the attempt fails after the client retries (4, no jitter: $waitedMs ms of waits), not for good, and the next attempt follows the same execution', async ({ retryAfterSeconds, waitedMs }) => {
    const sim = start({ faults: { rate429: 1, routes: ['progress'], ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } });
    const client = sim.client({ retry: { jitter: false } });
    const { job } = fakeJob({ flowId: LONG, input: letter(7) });
    const t0 = sim.scheduler.now();
    const failed = settledState(flowProcessor(client, { scheduler: sim.scheduler })(job));
    await sim.until(() => failed.settled, 120_000);
    const elapsed = sim.scheduler.now() - t0;
    expect(failed.error).toMatchObject({ status: 429, executionId: job.data.executionId });
    expect(isUnrecoverable(failed.error)).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(waitedMs);
    expect(elapsed).toBeLessThan(waitedMs + 2_000);

    sim.simulator.setFaults(undefined);
    const retried = settledState(flowProcessor(client, { scheduler: sim.scheduler })(job));
    await sim.until(() => retried.settled, 60_000);
    expect(retried.result).toMatchObject({ executionId: job.data.executionId, status: 'Success', resumedAs: 'watched' });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });
});

// Item 7: a server (or a caching proxy) answering two starts with one executionId (attack e5, MODE=same-id).
describe('flowProcessor when one executionId is answered for two jobs', () => {
  it('fails the second job for good with a clear error, before recording it, and cancels nothing; the first completes', async () => {
    const sim = start();
    let firstAnswer: string | undefined;
    const client = sim.client({
      fetch: async (input, init) => {
        if (init?.method !== 'POST') return globalThis.fetch(input, init);
        if (firstAnswer !== undefined) return new Response(firstAnswer, { status: 200, headers: { 'content-type': 'application/json' } });
        const answer = await globalThis.fetch(input, init);
        firstAnswer = await answer.text();
        return new Response(firstAnswer, { status: answer.status, headers: answer.headers });
      },
    });
    const processor = flowProcessor(client, { scheduler: sim.scheduler, cancelOnAbort: true });
    const a = fakeJob({ flowId: LONG, input: letter(8), key: 'letter-8' }, 'job-a').job;
    const b = fakeJob({ flowId: LONG, input: letter(9), key: 'letter-9' }, 'job-b').job;
    const first = settledState(processor(a));
    await sim.until(() => a.data.executionId !== undefined);
    const second = settledState(processor(b));
    await sim.until(() => second.settled, 5_000);
    expect(isUnrecoverable(second.error)).toBe(true);
    expect((second.error as Error).message).toBe(`The server answered job letter-9 with execution ${a.data.executionId}, which job letter-8 follows in this process`);
    expect(b.data.executionId).toBeUndefined();
    await sim.until(() => first.settled, 60_000);
    expect(first.result).toMatchObject({ executionId: a.data.executionId, status: 'Success' });
    expect(sim.simulator.stats.byRoute.cancel).toBe(0);
  });

  it('also when the first job has ended: a start answered with an execution another job had fails the second job (attack e5 same-id, concurrency 1)', async () => {
    const sim = start();
    let firstAnswer: string | undefined;
    const client = sim.client({
      fetch: async (input, init) => {
        if (init?.method !== 'POST') return globalThis.fetch(input, init);
        if (firstAnswer !== undefined) return new Response(firstAnswer, { status: 200, headers: { 'content-type': 'application/json' } });
        const answer = await globalThis.fetch(input, init);
        firstAnswer = await answer.text();
        return new Response(firstAnswer, { status: answer.status, headers: answer.headers });
      },
    });
    const processor = flowProcessor(client, { scheduler: sim.scheduler });
    const a = fakeJob({ flowId: SHORT, input: letter(10), key: 'letter-10' }, 'job-a').job;
    const first = settledState(processor(a));
    await sim.until(() => first.settled, 60_000);
    expect(first.result).toMatchObject({ status: 'Success' });
    const b = fakeJob({ flowId: SHORT, input: letter(11), key: 'letter-11' }, 'job-b').job;
    const second = settledState(processor(b));
    await sim.until(() => second.settled, 5_000);
    expect(isUnrecoverable(second.error)).toBe(true);
    expect((second.error as Error).message).toBe(`The server answered job letter-11 with execution ${a.data.executionId}, which job letter-10 followed in this process`);
    // The same job handed out again (its id) follows its own recorded execution as before.
    const again = settledState(processor(fakeJob({ ...a.data }, 'job-a').job));
    await sim.until(() => again.settled, 60_000);
    expect(again.result).toMatchObject({ executionId: a.data.executionId, resumedAs: 'watched' });
  });
});
