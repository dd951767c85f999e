import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { SmartFlowsClient } from '../../lib/client';
import type { BatchJob, BatchSnapshot } from '../../lib/execution/batchTypes';
import { FlowExecutionError, SmartFlowsHttpError } from '../../lib/errors';
import { SmartFlowsBatchError } from '../../lib/execution/SmartFlowsBatchError';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();
const f = builtInFlows;
const LETTER = '<Letter><To>Ann</To></Letter>';

/** Twelve jobs, one per behaviour, and what each should end as. */
const MIXED: [BatchJob, 'succeeded' | 'failed'][] = [
  [{ flowId: f.short.id, input: LETTER, key: 'short' }, 'succeeded'],
  [{ flowId: f.warning.id, input: LETTER, key: 'warning' }, 'succeeded'],
  [{ flowId: f.error.id, input: LETTER, key: 'error' }, 'failed'],
  [{ flowId: f.multiDocument.id, input: LETTER, key: 'multi' }, 'succeeded'],
  [{ flowId: f.interrupted.id, input: LETTER, key: 'interrupted' }, 'failed'],
  [{ flowId: f.userInput.id, input: LETTER, key: 'form' }, 'succeeded'],
  [{ flowId: f.invoice.id, input: '<Invoice><No>1</No></Invoice>', key: 'invoice' }, 'succeeded'],
  [{ flowId: f.invoice.id, input: LETTER, key: 'invoice-wrong-root' }, 'failed'],
  [{ flowId: f.queued.id, input: LETTER, key: 'queued' }, 'succeeded'],
  [{ flowId: f.short.id, input: { Letter: { To: 'Bo' } } }, 'succeeded'],
  [{ flowId: f.warning.id, input: LETTER }, 'succeeded'],
  [{ flowId: f.short.id, input: LETTER }, 'succeeded'],
];

/** Subscribes and keeps every snapshot, when it came (by `now`) and how the stream ended. */
function follow(source: ReturnType<SmartFlowsClient['runBatch']>, now: () => number = () => 0) {
  const snapshots: BatchSnapshot[] = [];
  const times: number[] = [];
  const end: { error?: unknown; complete?: boolean } = {};
  const sub = source.subscribe({
    next: (s) => {
      snapshots.push(s);
      times.push(now());
    },
    error: (e) => (end.error = e),
    complete: () => (end.complete = true),
  });
  return { snapshots, times, end, sub, ended: () => end.complete === true || end.error !== undefined };
}

describe('runBatch against the simulator', () => {
  it('settles every job in order, never running more than `concurrency` executions at once', async () => {
    const sim = start();
    const client = sim.client();
    const batch = follow(client.runBatch(MIXED.map(([job]) => job), { concurrency: 3 }));
    // Answer the form when the flow asks, as a dashboard would.
    const answered = new Set<string>();
    await sim.until(() => {
      for (const item of batch.snapshots.at(-1)?.items ?? []) {
        if (item.progress?.status === 'UserInput' && item.executionId && !answered.has(item.executionId)) {
          answered.add(item.executionId);
          client.submitUserInput(item.executionId, { approved: true }).subscribe();
        }
      }
      return batch.ended();
    });

    expect(batch.end).toEqual({ complete: true });
    const stats = sim.simulator.stats;
    expect(stats.maxConcurrentExecutions).toBeLessThanOrEqual(3);
    expect(stats.maxConcurrentExecutions).toBe(3);
    // The refused start created nothing.
    expect(stats.executionsStarted).toBe(11);
    expect(answered.size).toBe(1);

    const last = batch.snapshots.at(-1)!;
    expect(last).toMatchObject({ total: 12, queued: 0, running: 0, succeeded: 9, failed: 3, percentage: 100, done: true });
    expect(last.items.map((item) => item.state)).toEqual(MIXED.map(([, state]) => state));
    expect(last.items.map((item) => item.key)).toEqual(MIXED.map(([job], i) => job.key ?? String(i)));
    for (const item of last.items.filter((i) => i.state === 'succeeded')) {
      expect(item.execution?.status).toMatch(/^(Success|Warning)$/);
      expect(item.executionId).toBe(item.execution?.id);
    }
    const byKey = new Map(last.items.map((item) => [item.key, item]));
    expect(byKey.get('error')!.error).toBeInstanceOf(FlowExecutionError);
    expect(byKey.get('error')!.error).toMatchObject({ status: 'Error', executionId: byKey.get('error')!.executionId });
    expect(byKey.get('interrupted')!.error).toMatchObject({ name: 'FlowExecutionError', status: 'Interrupted' });
    expect(byKey.get('invoice-wrong-root')!.error).toBeInstanceOf(SmartFlowsHttpError);
    expect(byKey.get('invoice-wrong-root')!.executionId).toBeUndefined();

    // Every snapshot is consistent and respects the limit; none but the last is done.
    for (const s of batch.snapshots) {
      expect(s.queued + s.running + s.succeeded + s.failed).toBe(12);
      expect(s.running).toBeLessThanOrEqual(3);
    }
    expect(batch.snapshots.filter((s) => s.done)).toHaveLength(1);
  });

  it('coalesces snapshots to one per snapshotIntervalMs of the client clock', async () => {
    const sim = start();
    const client = sim.client({ polling: { intervalMs: 10, maxIntervalMs: 20 } });
    const jobs = Array.from({ length: 20 }, () => ({ flowId: f.short.id, input: LETTER }));
    const batch = follow(client.runBatch(jobs, { concurrency: 10, snapshotIntervalMs: 250 }), () => sim.scheduler.now());
    await sim.until(batch.ended);
    expect(batch.end.complete).toBe(true);
    const { times } = batch;
    // Between any two snapshots but the final one, at least the interval.
    const gaps = times.slice(1, -1).map((t, i) => t - times[i]!);
    expect(gaps.every((gap) => gap >= 250)).toBe(true);
    // 20 short flows in two waves of about 650 ms: a handful of snapshots, not one per poll.
    expect(batch.snapshots.length).toBeLessThanOrEqual(8);
    expect(sim.simulator.stats.byRoute.progress).toBeGreaterThan(4 * batch.snapshots.length);
  });

  it('with failFast, errors with the failed job and starts nothing more', async () => {
    const sim = start();
    const client = sim.client();
    const jobs: BatchJob[] = [f.short, f.error, f.short, f.short, f.short, f.short].map((flow, i) => ({ flowId: flow.id, input: LETTER, key: `job-${i}` }));
    const batch = follow(client.runBatch(jobs, { concurrency: 2, failFast: true }));
    await sim.until(batch.ended);
    const error = batch.end.error as SmartFlowsBatchError;
    expect(error).toBeInstanceOf(SmartFlowsBatchError);
    expect(error).toMatchObject({ key: 'job-1', index: 1 });
    expect(error.cause).toBeInstanceOf(FlowExecutionError);
    const failed = sim.simulator.requests.find((r) => r.route === 'start' && r.status === 200 && r.path.includes(f.error.id));
    expect(failed).toBeDefined();
    // The error flow fails at ~600 ms; by then job 0 ended and job 2 took its slot — job 3 and later never start.
    const startedBefore = sim.simulator.stats.executionsStarted;
    expect(startedBefore).toBeLessThanOrEqual(3);
    const requests = sim.simulator.stats.requests;
    await sim.advance(5_000, 250);
    expect(sim.simulator.stats.requests).toBe(requests);
    expect(sim.simulator.stats.executionsStarted).toBe(startedBefore);
  });

  it('sends nothing more once unsubscribed', async () => {
    const sim = start();
    const client = sim.client();
    const jobs = Array.from({ length: 8 }, () => ({ flowId: f.long.id, input: LETTER }));
    const batch = follow(client.runBatch(jobs, { concurrency: 4 }));
    await sim.advance(1_500);
    expect(sim.simulator.stats.executionsStarted).toBe(4);
    batch.sub.unsubscribe();
    await sim.advance(0);
    const requests = sim.simulator.stats.requests;
    expect(sim.scheduler.actions).toHaveLength(0);
    await sim.advance(10_000, 500);
    expect(sim.simulator.stats.requests).toBe(requests);
    expect(sim.simulator.stats.executionsStarted).toBe(4);
  });
});
