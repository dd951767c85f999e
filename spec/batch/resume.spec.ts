import { describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { SmartFlowsClient } from '../../lib/client';
import type { BatchJob, BatchSnapshot } from '../../lib/execution/batchTypes';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import type { JournalRecord } from '../../lib/batch/journalTypes';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();
const FLOW = builtInFlows.short.id;
const jobsOf = (n: number): BatchJob[] => Array.from({ length: n }, (_, i) => ({ flowId: FLOW, input: `<Letter><To>Reader ${i}</To></Letter>`, key: `letter-${i}` }));

function follow(source: ReturnType<SmartFlowsClient['runBatch']>) {
  const seen: { last?: BatchSnapshot; error?: unknown; complete?: boolean } = {};
  const sub = source.subscribe({ next: (s) => (seen.last = s), error: (e) => (seen.error = e), complete: () => (seen.complete = true) });
  return { seen, sub, ended: () => seen.complete === true || seen.error !== undefined };
}

/** Every execution of the flow on the simulator, through its listing. */
const executionsOn = async (client: SmartFlowsClient) => (await lastValueFrom(client.listExecutions({ flowId: FLOW, size: 1000 }))).items;

describe('a journaled batch against the simulator', () => {
  it('resumes after its subscriber went away mid-batch: every job ends once, one execution per job', async () => {
    const sim = start();
    const client = sim.client();
    const journal = memoryJournal();
    const jobs = jobsOf(8);
    const first = follow(client.runBatch(jobs, { journal, concurrency: 3 }));
    await sim.until(() => (first.seen.last?.succeeded ?? 0) >= 2);
    first.sub.unsubscribe(); // the "process" dies: some jobs ended, some started, the rest not begun

    const second = follow(client.runBatch(jobs, { journal, concurrency: 3 }));
    await sim.until(second.ended);
    const last = second.seen.last!;
    expect(last).toMatchObject({ done: true, succeeded: 8, failed: 0, uncertain: 0 });
    expect(last.journal!.resumed).toBeGreaterThanOrEqual(2);
    expect(last.items.filter((i) => i.resumedAs === 'journal').length).toBeGreaterThanOrEqual(2);
    const executions = await executionsOn(client);
    expect(executions).toHaveLength(8);
    expect(new Set(last.items.map((i) => i.executionId))).toEqual(new Set(executions.map((e) => e.id)));
    for (const item of last.items) expect(item.outcome).toMatchObject({ state: 'succeeded', status: 'Success', documents: [{ displayName: 'Letter.pdf' }] });
  });

  it('adopts the execution a lost start answer left on the server, and restarts the job whose start never arrived', async () => {
    const sim = start();
    const client = sim.client();
    const jobs = jobsOf(3);
    // A first run that wrote its plan; then we play a process that died after sending
    // job 0's start (the server made it) and before sending job 1's.
    const seed = memoryJournal();
    // Its start never reaches the server: a fetch that only waits for its abort. (Through msw, an
    // aborted start may otherwise still be answered by the simulator, as the runtime's fetch on
    // Node 24 is: the server would then hold a fourth execution this test did not mean to make.)
    const offline = sim.client({
      fetch: (_input, init) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    const planOnly = follow(offline.runBatch(jobs, { journal: seed, concurrency: 1 }));
    planOnly.sub.unsubscribe();
    const planned = seed.records.find((r) => r.type === 'planned')!;
    const orphan = await lastValueFrom(client.startExecution(FLOW, jobs[0]!.input));
    const at = new Date(sim.scheduler.now()).toISOString();
    const journal = memoryJournal([planned, { type: 'starting', at, key: 'letter-0' }, { type: 'starting', at, key: 'letter-1' }] as JournalRecord[]);

    const run = follow(client.runBatch(jobs, { journal }));
    await sim.until(run.ended);
    const last = run.seen.last!;
    expect(last.journal).toEqual({ resumed: 0, adopted: 1, restarted: 1, uncertain: 0 });
    expect(last.items.map((i) => i.resumedAs)).toEqual(['adopted', 'restarted', undefined]);
    expect(last.items[0]!.executionId).toBe(orphan.id);
    expect(last).toMatchObject({ succeeded: 3 });
    expect(await executionsOn(client)).toHaveLength(3);
  });
});
