import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { lastValueFrom, of, toArray } from 'rxjs';
import { retryFailedJobs, retryPlan } from '../../lib/angular/retryFailedJobs';
import { sameJobs } from '../../lib/angular/sameJobs';
import type { SmartFlowsClient } from '../../lib/client';
import { FlowExecutionError, SmartFlowsHttpError, SmartFlowsNetworkError } from '../../lib/errors';
import type { BatchItem, BatchJob, BatchSnapshot } from '../../lib/index';

const FLOW = '85f8fe94-6f61-4216-af6c-4889e2547b72';
const ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const URL = 'https://flows.example.test/api/v1/flows/executions';
const progress = (status: 'Error' | 'UserInput' | 'Success', percentage = 100) => ({ id: ID, status, rawStatus: status, percentage, message: '' });

const snapshot = (items: BatchItem[], done = true): BatchSnapshot => ({
  total: items.length,
  queued: items.filter((i) => i.state === 'queued').length,
  running: items.filter((i) => i.state === 'running').length,
  succeeded: items.filter((i) => i.state === 'succeeded').length,
  failed: items.filter((i) => i.state === 'failed').length,
  uncertain: 0,
  percentage: 100,
  items,
  done,
});

describe('retryPlan (what retry() runs again without a journal)', () => {
  // [what, started again?, item]
  it.each<[string, boolean, BatchItem]>([
    ['a succeeded job', false, { key: 'a', state: 'succeeded', executionId: ID, progress: progress('Success') }],
    ['a job whose flow ended in Error', true, { key: 'a', state: 'failed', executionId: ID, error: new FlowExecutionError(progress('Error', 60)) }],
    ['a job never started (queued when a failFast batch stopped)', true, { key: 'a', state: 'queued' }],
    ['a job whose start was refused (400)', true, { key: 'a', state: 'failed', error: new SmartFlowsHttpError({ status: 400, method: 'POST', url: URL, body: '' }) }],
    ['a job whose start got no answer and may have reached the server', false, { key: 'a', state: 'failed', error: new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true }, { executionMayExist: true }) }],
    ['a job whose following failed on the network (its execution runs on)', false, { key: 'a', state: 'failed', executionId: ID, error: new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived: true }, { executionId: ID }) }],
    ['a job that asked for input headless (its execution still waits)', false, { key: 'a', state: 'failed', executionId: ID, error: new FlowExecutionError(progress('UserInput', 30)) }],
    ['a job still running when its batch stopped', false, { key: 'a', state: 'running', executionId: ID }],
  ])('%s → started again: %s', (_what, again, item) => {
    const jobs: BatchJob[] = [{ key: 'a', flowId: FLOW }];
    expect(retryPlan(jobs, snapshot([item])).indices).toEqual(again ? [0] : []);
  });
});

describe('retryFailedJobs', () => {
  it('runs only the planned jobs under their keys, and gives snapshots of the whole batch', async () => {
    const jobs: BatchJob[] = [
      { key: 'ok', flowId: FLOW, input: '<a/>' },
      { flowId: FLOW, input: '<b/>' },
      { key: 'ok2', flowId: FLOW, input: '<c/>' },
    ];
    const failed: BatchItem = { key: '1', state: 'failed', executionId: ID, error: new FlowExecutionError(progress('Error', 60)) };
    const base = snapshot([{ key: 'ok', state: 'succeeded' }, failed, { key: 'ok2', state: 'succeeded' }]);
    const ran: BatchJob[][] = [];
    const rerun = [snapshot([{ key: '1', state: 'running', progress: progress('Success', 40) }], false), snapshot([{ key: '1', state: 'succeeded' }])];
    const client = {
      runBatch: (list: BatchJob[]) => {
        ran.push(list);
        return of(...rerun.map((s) => ({ ...s, percentage: s.done ? 100 : 40 })));
      },
    } as unknown as SmartFlowsClient;
    const seen = await lastValueFrom(retryFailedJobs(client, retryPlan(jobs, base), {}).pipe(toArray()));

    expect(ran).toEqual([[{ key: '1', flowId: FLOW, input: '<b/>' }]]);
    expect(seen.map((s) => [s.items.map((i) => i.state), s.running, s.succeeded, s.failed, s.percentage, s.done])).toEqual([
      [['succeeded', 'running', 'succeeded'], 1, 2, 0, 80, false],
      [['succeeded', 'succeeded', 'succeeded'], 0, 3, 0, 100, true],
    ]);
    expect(seen[0]!.items[0]).toBe(base.items[0]);
    expect(seen[1]!.items[2]).toBe(base.items[2]);
  });
});

describe('sameJobs', () => {
  const input = fc.oneof(fc.string(), fc.jsonValue().filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)));
  const job = fc.record({ flowId: fc.constantFrom(FLOW, ID), key: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), input: fc.option(input, { nil: undefined }) });

  test.prop([fc.array(job, { maxLength: 5 })], { numRuns: 200 })('holds for a list and its deep copy (what a recomputed jobs function gives)', (jobs) => {
    expect(sameJobs(jobs as BatchJob[], structuredClone(jobs) as BatchJob[])).toBe(true);
  });

  test.prop([fc.array(job, { minLength: 1, maxLength: 5 }), fc.nat(), fc.constantFrom('key', 'flowId', 'input')], { numRuns: 200 })(
    'fails when one job differs in key, flow or input',
    (jobs, at, field) => {
      const changed = structuredClone(jobs) as BatchJob[];
      const target = changed[at % changed.length]!;
      if (field === 'key') target.key = `${target.key ?? ''}x`;
      else if (field === 'flowId') target.flowId = target.flowId === FLOW ? ID : FLOW;
      else target.input = typeof target.input === 'string' ? `${target.input}x` : { ...(target.input as object), extra: 1 };
      expect(sameJobs(jobs as BatchJob[], changed)).toBe(false);
    },
  );

  it('treats no jobs yet (null, undefined) alike, and a list as different from none', () => {
    expect(sameJobs(null, undefined)).toBe(true);
    expect(sameJobs(null, [])).toBe(false);
    expect(sameJobs([{ flowId: FLOW, input: { a: [1, 2] } }], [{ flowId: FLOW, input: { a: [1, 2, 3] } }])).toBe(false);
    expect(sameJobs([{ flowId: FLOW }], [{ flowId: FLOW }, { flowId: FLOW }])).toBe(false);
  });
});
