import { describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import { SmartFlowsInputError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { fakeJob, settledState } from './fakeJob';

// Issue 29, item 3: one rate limit for the fleet. A start the server answers 429 or 503 is not sent again by this worker: the processor calls the `rateLimit` it was given
// (`(ms) => worker.rateLimit(ms)`, which pauses every worker of the queue in Redis) and fails the
// attempt with BullMQ's RateLimitError, which puts the job back in the queue without using an attempt.

const start = useVirtualSimulator();
const SHORT = builtInFlows.short.id;
const letter = (n: number) => `<Letter><No>${n}</No></Letter>`;
/** What BullMQ 5 and 6 check a processor's error for: `message === 'bullmq:rateLimitExceeded'`. */
const RATE_LIMIT_ERROR = 'bullmq:rateLimitExceeded';

describe('flowProcessor with rateLimit (one rate limit for the fleet)', () => {
  it.each([
    ['429', { rate429: 1 }],
    ['503 with Retry-After', { rate503: 1 }],
  ])('a start answered %s: one start request, rateLimit(Retry-After in ms), RateLimitError, startingAt kept', async (_name, faults) => {
    const sim = start({ faults: { ...faults, routes: ['start'], retryAfterSeconds: 7 } });
    const rateLimit = jest.fn(async (_ms: number) => undefined);
    const { job } = fakeJob({ flowId: SHORT, input: letter(1), key: 'letter-1' });
    const seen = settledState(flowProcessor(sim.client(), { scheduler: sim.scheduler, rateLimit })(job));
    await sim.until(() => seen.settled, 5_000);

    expect(seen.error).toBeInstanceOf(Error);
    expect((seen.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect((seen.error as Error).name).toBe('RateLimitError');
    expect(rateLimit.mock.calls).toEqual([[7_000]]);
    expect(sim.simulator.stats.byRoute.start).toBe(1); // the worker did not send it again: the queue backs off as a whole
    expect(sim.simulator.stats.executionsStarted).toBe(0);
    // Changed after the attack (e5, MODE=late-503): a gateway may answer 503 after the server made the
    // execution, so the job keeps startingAt and its next attempt reconciles (this test pinned the removal).
    expect(job.data).toEqual({ flowId: SHORT, input: letter(1), key: 'letter-1', startingAt: expect.any(String) });
  });

  it('rate-limits for rateLimitMs when a 429 says no Retry-After, and the job then runs once the server takes starts', async () => {
    const sim = start();
    let busy = true;
    const client = sim.client({
      fetch: (input, init) => (busy && init?.method === 'POST' ? Promise.resolve(new Response('{"message":"slow down"}', { status: 429 })) : globalThis.fetch(input, init)),
    });
    const rateLimit = jest.fn(async (_ms: number) => undefined);
    const processor = flowProcessor(client, { scheduler: sim.scheduler, rateLimit, rateLimitMs: 2_500 });
    const { job } = fakeJob({ flowId: SHORT, input: letter(2) });
    const first = settledState(processor(job));
    await sim.until(() => first.settled, 5_000);
    expect((first.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(rateLimit.mock.calls).toEqual([[2_500]]);

    busy = false;
    const second = settledState(processor(job));
    await sim.until(() => second.settled);
    expect(second.result).toMatchObject({ status: 'Success' });
    // The job kept startingAt: its next attempt reconciled (one listing, nothing found) and started.
    expect(second.result!.resumedAs).toBe('restarted');
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it('pauses the fleet for rateLimitMs on a 503 without Retry-After too (one rule), and leaves a 429 to the client retries when no rateLimit is given', async () => {
    const sim = start();
    const failing = sim.client({ fetch: (_input, init) => (init?.method === 'POST' ? Promise.resolve(new Response('', { status: 503 })) : Promise.reject(new Error('unexpected'))), retry: { maxRetries: 0 } });
    const rateLimit = jest.fn(async (_ms: number) => undefined);
    const { job } = fakeJob({ flowId: SHORT, input: letter(3) });
    const seen = settledState(flowProcessor(failing, { scheduler: sim.scheduler, rateLimit })(job));
    await sim.until(() => seen.settled, 5_000);
    // Changed after the attack (item 2): this pinned a 503 without Retry-After failing the attempt at
    // once (retryBusy: false had turned the client's 503 retries off), burning the job's attempts.
    expect((seen.error as Error).message).toBe(RATE_LIMIT_ERROR);
    expect(rateLimit.mock.calls).toEqual([[5_000]]);

    // Without rateLimit the client's own retries answer a 429, as before (here 2, then the 429 itself).
    const sim2 = start({ faults: { rate429: 1, routes: ['start'], retryAfterSeconds: 1 } });
    const { job: job2 } = fakeJob({ flowId: SHORT, input: letter(4) });
    const seen2 = settledState(flowProcessor(sim2.client({ retry: { maxRetries: 2 } }), { scheduler: sim2.scheduler })(job2));
    await sim2.until(() => seen2.settled, 30_000);
    expect(seen2.error).toMatchObject({ status: 429 });
    expect(sim2.simulator.stats.byRoute.start).toBe(3);
  });

  it('refuses a rateLimit that is not a function and a rateLimitMs that is not a delay', () => {
    const sim = start();
    expect(() => flowProcessor(sim.client(), { rateLimit: 5 as unknown as () => Promise<void> })).toThrow(SmartFlowsInputError);
    expect(() => flowProcessor(sim.client(), { rateLimitMs: -1 })).toThrow('rateLimitMs must be a whole number of ms ≥ 1');
  });

  it('three jobs answered 429 at once: each sends its start once, each pauses the queue, none is started', async () => {
    const sim = start({ faults: { rate429: 1, routes: ['start'], retryAfterSeconds: 3 } });
    const client = sim.client();
    const rateLimit = jest.fn(async (_ms: number) => undefined);
    const processor = flowProcessor(client, { scheduler: sim.scheduler, rateLimit });
    const runs = [1, 2, 3].map((n) => settledState(processor(fakeJob({ flowId: SHORT, input: letter(10 + n) }, `job-${n}`).job)));
    await sim.until(() => runs.every((r) => r.settled), 5_000);
    expect(runs.map((r) => (r.error as Error).message)).toEqual([RATE_LIMIT_ERROR, RATE_LIMIT_ERROR, RATE_LIMIT_ERROR]);
    expect(sim.simulator.stats.byRoute.start).toBe(3);
    expect(rateLimit.mock.calls).toEqual([[3_000], [3_000], [3_000]]);
    await lastValueFrom(client.listExecutions({ size: 10 })).then((page) => expect(page.items).toHaveLength(0));
  });
});
