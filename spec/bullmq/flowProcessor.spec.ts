import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import type { FlowJobData, FlowJobProgress, FlowJobResult } from '../../lib/bullmq/flowJobTypes';
import { isSmartFlowsUncertainError } from '../../lib/bullmq/SmartFlowsUncertainError';
import type { SmartFlowsClient } from '../../lib/client';
import { FlowExecutionError, SmartFlowsInputError, SmartFlowsNetworkError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { clientError, fakeJob, isUnrecoverable, settledState } from './fakeJob';

const start = useVirtualSimulator();
const SHORT = builtInFlows.short.id;
const LONG = builtInFlows.long.id;
const letter = (n: number) => `<Letter><No>${n}</No></Letter>`;

type Sim = ReturnType<typeof start>;

/** Runs the processor on `job` in virtual time until it settles. */
async function processIn(sim: Sim, run: Promise<FlowJobResult>, limitMs = 60_000) {
  const seen: { result?: FlowJobResult; error?: unknown; settled: boolean } = { settled: false };
  run.then(
    (result) => Object.assign(seen, { result, settled: true }),
    (error: unknown) => Object.assign(seen, { error, settled: true }),
  );
  await sim.until(() => seen.settled, limitMs);
  return seen;
}

/** Every execution of a flow on the simulator, through its listing. */
const executionsOf = async (client: SmartFlowsClient, flowId: string) => (await lastValueFrom(client.listExecutions({ flowId, size: 1000 }))).items;

describe('flowProcessor', () => {
  it('records startingAt before the start is sent and the executionId right after its answer, before any progress; returns the summary', async () => {
    const sim = start();
    const client = sim.client();
    const startsWhenWritten: number[] = [];
    const { job, log } = fakeJob({ flowId: SHORT, input: letter(1), key: 'letter-1' });
    job.updateData.mockImplementation(async (next: FlowJobData) => {
      startsWhenWritten.push(sim.simulator.stats.executionsStarted);
      log.push({ data: next });
      job.data = next;
    });
    const seen = await processIn(sim, flowProcessor(client, { scheduler: sim.scheduler, progressIntervalMs: 0 })(job));

    expect(seen.error).toBeUndefined();
    const result = seen.result!;
    const [execution] = await executionsOf(client, SHORT);
    expect(result).toEqual({ executionId: execution!.id, status: 'Success', documents: [{ id: expect.any(String), displayName: 'Letter.pdf' }] });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain JSON, as BullMQ stores it
    // Two writes: startingAt with no start sent yet, then the executionId with the start made.
    expect(job.updateData).toHaveBeenCalledTimes(2);
    expect(startsWhenWritten).toEqual([0, 1]);
    expect(log[0]).toEqual({ data: { flowId: SHORT, input: letter(1), key: 'letter-1', startingAt: expect.any(String) } });
    expect(log[1]).toEqual({ data: { flowId: SHORT, input: letter(1), key: 'letter-1', startingAt: (log[0] as { data: FlowJobData }).data.startingAt, executionId: result.executionId } });
    const progress = log.slice(2).map((entry) => (entry as { progress: FlowJobProgress }).progress);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.every((p) => p !== undefined && p.executionId === result.executionId)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ percentage: 100, status: 'Success' });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it('throttles updateProgress to one per progressIntervalMs, and always sends the final progress', async () => {
    const sim = start();
    const client = sim.client();
    const every = fakeJob({ flowId: LONG, input: letter(1) });
    const throttled = fakeJob({ flowId: LONG, input: letter(2) }, 'job-2');
    const [a, b] = await Promise.all([
      processIn(sim, flowProcessor(client, { scheduler: sim.scheduler, progressIntervalMs: 0 })(every.job)),
      processIn(sim, flowProcessor(client, { scheduler: sim.scheduler, progressIntervalMs: 5_000 })(throttled.job)),
    ]);
    expect([a.error, b.error]).toEqual([undefined, undefined]);
    const sent = (job: typeof every.job) => job.updateProgress.mock.calls.map(([p]) => p);
    // The long flow has 10 stages of 1 s each: every change, against the first of each 5 s window, its trailing one and the final one.
    expect(sent(every.job).length).toBeGreaterThanOrEqual(10);
    expect(sent(throttled.job).length).toBeLessThanOrEqual(5);
    expect(sent(throttled.job).length).toBeGreaterThanOrEqual(2);
    expect(sent(throttled.job).at(-1)).toMatchObject({ percentage: 100, status: 'Success' });
  });

  it('follows the recorded executionId of a job handed out again (a stalled job) and starts nothing', async () => {
    const sim = start();
    const client = sim.client();
    const first = await lastValueFrom(client.startExecution(SHORT, letter(3)));
    const { job } = fakeJob({ flowId: SHORT, input: letter(3), startingAt: new Date(sim.scheduler.now()).toISOString(), executionId: first.id });
    const seen = await processIn(sim, flowProcessor(client, { scheduler: sim.scheduler })(job));
    expect(seen.result).toMatchObject({ executionId: first.id, status: 'Success', resumedAs: 'watched' });
    expect(job.updateData).not.toHaveBeenCalled();
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it('adopts the execution a lost start answer left on the server, and starts again only the job the server certainly never got', async () => {
    const sim = start();
    const client = sim.client();
    const since = new Date(sim.scheduler.now()).toISOString();
    // The previous worker wrote startingAt for both jobs; only job A's start reached the server.
    const orphan = await lastValueFrom(client.startExecution(SHORT, letter(4)));
    const a = fakeJob({ flowId: SHORT, input: letter(4), startingAt: since }, 'a');
    const b = fakeJob({ flowId: SHORT, input: letter(5), startingAt: since }, 'b');
    const processor = flowProcessor(client, { scheduler: sim.scheduler });
    const adopted = await processIn(sim, processor(a.job));
    const restarted = await processIn(sim, processor(b.job));

    expect(adopted.result).toMatchObject({ executionId: orphan.id, status: 'Success', resumedAs: 'adopted' });
    expect(a.job.data).toMatchObject({ executionId: orphan.id, adopted: true, startingAt: since });
    expect(restarted.result).toMatchObject({ status: 'Success', resumedAs: 'restarted' });
    // The first attempt's startingAt stays, so a later reconciliation looks back far enough.
    expect(b.job.data).toMatchObject({ executionId: restarted.result!.executionId, startingAt: since });
    const executions = await executionsOf(client, SHORT);
    expect(executions).toHaveLength(2);
    expect(new Set(executions.map((e) => e.id))).toEqual(new Set([orphan.id, restarted.result!.executionId]));
  });

  it('fails with SmartFlowsUncertainError and starts nothing when the listing cannot be read (a retry reconciles again)', async () => {
    const sim = start();
    const listingRefused = sim.client({
      retry: { maxRetries: 0 },
      fetch: (input, init) => (/\/flows\/[^/]+\/executions/.test(String(input)) ? Promise.resolve(new Response('no', { status: 403 })) : globalThis.fetch(input, init)),
    });
    const since = new Date(sim.scheduler.now()).toISOString();
    const { job } = fakeJob({ flowId: SHORT, input: letter(6), startingAt: since });
    const seen = await processIn(sim, flowProcessor(listingRefused, { scheduler: sim.scheduler })(job));
    expect(isSmartFlowsUncertainError(seen.error)).toBe(true);
    expect((seen.error as Error).message).toMatch(/job-1: cannot tell whether its earlier start reached the server .*listed.*; nothing was started/);
    expect(isUnrecoverable(seen.error)).toBe(false);
    expect(job.updateData).not.toHaveBeenCalled();
    expect(sim.simulator.stats.executionsStarted).toBe(0);

    // The listing answers again: the retry (the same job) finds none and starts once.
    const retried = await processIn(sim, flowProcessor(sim.client(), { scheduler: sim.scheduler })(job));
    expect(retried.result).toMatchObject({ status: 'Success', resumedAs: 'restarted' });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it("fails a flow that ends in Error with BullMQ's UnrecoverableError (no retry, on BullMQ 5 and 6) carrying the executionId, its cause the FlowExecutionError", async () => {
    const sim = start();
    const client = sim.client();
    const { job } = fakeJob({ flowId: builtInFlows.error.id, input: letter(7) });
    const seen = await processIn(sim, flowProcessor(client, { scheduler: sim.scheduler })(job));
    expect(seen.error).toBeInstanceOf(UnrecoverableError);
    expect(seen.error).toMatchObject({ name: 'UnrecoverableError', executionId: job.data.executionId });
    expect(clientError(seen.error)).toBeInstanceOf(FlowExecutionError);
    expect(clientError(seen.error)).toMatchObject({ status: 'Error', executionId: job.data.executionId });
    // The message BullMQ keeps as the job's failedReason is the client's, as before.
    expect((seen.error as Error).message).toBe((clientError(seen.error) as Error).message);
    expect((seen.error as Error).message).toContain(job.data.executionId!);
  });

  it('refuses bad job data before any request, and fails the job for good (UnrecoverableError)', async () => {
    const sim = start();
    const { job } = fakeJob({ input: letter(8) } as unknown as FlowJobData);
    const seen = await processIn(sim, flowProcessor(sim.client(), { scheduler: sim.scheduler })(job));
    expect(isUnrecoverable(seen.error)).toBe(true);
    expect(clientError(seen.error)).toBeInstanceOf(SmartFlowsInputError);
    expect((seen.error as Error).message).toBe('job.data.flowId must be the flow GUID as a string');
    expect(sim.simulator.requests).toHaveLength(0);
  });

  it('keeps a job whose following failed on the network retryable, and its retry watches the same execution', async () => {
    const sim = start();
    let offline = false;
    const flaky = sim.client({
      retry: { maxRetries: 0 },
      fetch: (input, init) => (offline && String(input).includes('/progress') ? Promise.reject(new TypeError('fetch failed')) : globalThis.fetch(input, init)),
    });
    const { job } = fakeJob({ flowId: SHORT, input: letter(9) });
    job.updateData.mockImplementation(async (next: FlowJobData) => {
      job.data = next;
      if (next.executionId) offline = true; // the network goes once the execution exists
    });
    const processor = flowProcessor(flaky, { scheduler: sim.scheduler });
    const failed = await processIn(sim, processor(job));
    expect(failed.error).toBeInstanceOf(SmartFlowsNetworkError);
    expect(failed.error).toMatchObject({ executionId: job.data.executionId });
    expect(isUnrecoverable(failed.error)).toBe(false);

    offline = false;
    const retried = await processIn(sim, processor(job));
    expect(retried.result).toMatchObject({ executionId: job.data.executionId, status: 'Success', resumedAs: 'watched' });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it("stops at the job's AbortSignal with its reason, and with cancelOnAbort cancels the execution", async () => {
    const sim = start();
    const client = sim.client();
    const controller = new AbortController();
    const { job } = fakeJob({ flowId: LONG, input: letter(10) });
    const run = flowProcessor(client, { scheduler: sim.scheduler, cancelOnAbort: true })(job, 'token', controller.signal);
    await sim.until(() => job.updateProgress.mock.calls.length > 0);
    controller.abort(new Error('cancelled by the operator'));
    const seen = await processIn(sim, run);
    expect((seen.error as Error).message).toBe('cancelled by the operator');
    await sim.advance(2_000);
    const execution = await lastValueFrom(client.getExecution(job.data.executionId!));
    expect(execution.status).toBe('Canceled');
  });

  it("with tracking: 'listing', follows a worker's live executions through the client's one listing tracker: listing requests per cycle, not a poll loop per job", async () => {
    const sim = start();
    const client = sim.client({ tracker: { intervalMs: 1_000 } });
    const jobs = Array.from({ length: 20 }, (_, i) => fakeJob({ flowId: LONG, input: letter(100 + i) }, `job-${i}`).job);
    const processor = flowProcessor(client, { scheduler: sim.scheduler, tracking: 'listing' });
    const runs = jobs.map((job) => settledState(processor(job)));
    await sim.until(() => runs.every((r) => r.settled), 120_000);
    expect(runs.map((r) => r.result?.status)).toEqual(jobs.map(() => 'Success'));
    const { byRoute } = sim.simulator.stats;
    // The long flow runs 10 s: ~10 cycles of one listing request each for all 20 jobs, and per
    // job only its first progress read (the watch's) and its output GET.
    expect(byRoute.list).toBeGreaterThanOrEqual(5);
    expect(byRoute.list).toBeLessThanOrEqual(20);
    expect(byRoute.progress).toBeLessThanOrEqual(2 * jobs.length);
    expect(byRoute.execution).toBe(jobs.length);
    // Each job still reports its progress to BullMQ, and its final one.
    for (const job of jobs) expect(job.updateProgress.mock.calls.at(-1)?.[0]).toMatchObject({ status: 'Success', percentage: 100 });
  });

  it("polls per execution by default (tracking: 'polling'): each job its own progress requests", async () => {
    const sim = start();
    const client = sim.client();
    const jobs = Array.from({ length: 5 }, (_, i) => fakeJob({ flowId: LONG, input: letter(200 + i) }, `job-${i}`).job);
    const processor = flowProcessor(client, { scheduler: sim.scheduler });
    const runs = jobs.map((job) => settledState(processor(job)));
    await sim.until(() => runs.every((r) => r.settled), 120_000);
    expect(sim.simulator.stats.byRoute.list).toBe(0);
    expect(sim.simulator.stats.byRoute.progress).toBeGreaterThan(5 * jobs.length);
  });

  it('refuses wrong options at once', () => {
    const sim = start();
    expect(() => flowProcessor(sim.client(), { progressIntervalMs: -1 })).toThrow(SmartFlowsInputError);
    expect(() => flowProcessor(sim.client(), { onUserInput: 'ask' as 'wait' })).toThrow("onUserInput must be 'wait' or 'error'");
    expect(() => flowProcessor(sim.client(), { tracking: 'feed' as 'listing' })).toThrow("tracking must be 'polling' or 'listing'");
  });
});
