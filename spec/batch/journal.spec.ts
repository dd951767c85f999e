import { beforeAll, describe, expect, it } from '@jest/globals';
import { defer, EMPTY, finalize, Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runBatch, type BatchDeps } from '../../lib/execution/runBatch';
import type { BatchJob, BatchSnapshot } from '../../lib/execution/batchTypes';
import type { ExecutionEvent, FlowExecution, FlowProgress } from '../../lib/api/types';
import type { ExecutionPage, ListExecutionsOptions } from '../../lib/api/listings';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import type { BatchJournal, JournalRecord } from '../../lib/batch/journalTypes';
import type { JournalDeps } from '../../lib/batch/journaledJob';
import { FlowExecutionError, SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsNetworkError } from '../../lib/errors';
import { SmartFlowsJournalError } from '../../lib/batch/appendRecord';
import { inputHash } from '../../lib/batch/inputHash';
import { loadJournalPart } from '../helpers/marbles';
import { FLOW_ID, progress } from '../helpers/progress';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const idOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const xmlOf = (i: number) => `<Job><N>${i}</N></Job>`;
const jobsOf = (n: number): BatchJob[] => Array.from({ length: n }, (_, i) => ({ flowId: FLOW_ID, input: xmlOf(i), key: `k${i}` }));
const T0 = '1970-01-01T00:00:00.000Z';
const plannedOf = (n: number): JournalRecord => ({
  type: 'planned',
  v: 1,
  at: T0,
  jobs: jobsOf(n).map((j) => ({ key: j.key!, flowId: FLOW_ID, inputHash: inputHash(FLOW_ID, j.input as string) })),
});
const done = (i: number) => progress('Success', 100, 'done', idOf(i));
const execution = (i: number, over: Partial<FlowExecution> = {}): FlowExecution => ({
  id: idOf(i),
  status: 'Success',
  rawStatus: 'Success',
  createdAt: T0,
  state: { inputData: { xml: xmlOf(i) }, output: { model: { b: { doc: { id: `d${i}`, displayName: `Doc ${i}.pdf`, type: 'document' } } } } },
  ...over,
});

interface Calls {
  starts: number[];
  watches: string[];
  lists: ListExecutionsOptions[];
  gets: string[];
}

/**
 * Journal deps over scripted calls: a start answers Running at once; polling (the follow) is
 * replaced by "one tick later, Success"; watch gives Success at once. Listings and full
 * executions come from `server`.
 */
function fakeDeps(ts: TestScheduler, server: { executions?: FlowExecution[]; start?: (i: number) => Observable<FlowProgress>; listFails?: boolean } = {}) {
  const calls: Calls = { starts: [], watches: [], lists: [], gets: [] };
  const indexOf = (job: BatchJob) => Number(job.key!.slice(1));
  const finish = (first: FlowProgress): Observable<ExecutionEvent> =>
    defer(() => {
      const i = Number(first.id.slice(-12));
      return ts.createColdObservable<ExecutionEvent>('a-(o|)', {
        a: { type: 'progress', executionId: first.id, progress: first },
        o: { type: 'output', executionId: first.id, progress: done(i), execution: execution(i) },
      });
    });
  const journaled: JournalDeps = {
    prepare: (job) => of(job.input as string | undefined),
    start: (job) =>
      defer(() => {
        const i = indexOf(job);
        calls.starts.push(i);
        return server.start ? server.start(i) : of(progress('Running', 0, '', idOf(i)));
      }),
    follow: (first$) =>
      new Observable<ExecutionEvent>((s) => first$.subscribe({ next: (p) => finish(p).subscribe(s), error: (e) => s.error(e), complete: () => undefined })),
    watch: (id) =>
      defer(() => {
        calls.watches.push(id);
        const i = Number(id.slice(-12));
        return of<ExecutionEvent>({ type: 'output', executionId: id, progress: done(i), execution: execution(i) });
      }),
    listExecutions: (options) =>
      defer(() => {
        calls.lists.push(options);
        if (server.listFails) return throwError(() => new SmartFlowsHttpError({ status: 404, method: 'GET', url: 'x', body: '' }));
        const items = server.executions ?? [];
        const page: ExecutionPage = { items: items.slice(options.page! * options.size!, (options.page! + 1) * options.size!), page: options.page!, size: options.size! };
        return of(page);
      }),
    getExecution: (id) =>
      defer(() => {
        calls.gets.push(id);
        const found = (server.executions ?? []).find((e) => e.id === id);
        return found ? of(found) : throwError(() => new SmartFlowsHttpError({ status: 404, method: 'GET', url: 'x', body: '' }));
      }),
  };
  const deps: BatchDeps = { scheduler: ts, run: () => EMPTY, journaled };
  return { deps, calls };
}

function last(ts: TestScheduler, source: Observable<BatchSnapshot>) {
  const end: { snapshot?: BatchSnapshot; error?: unknown } = {};
  source.subscribe({ next: (s) => (end.snapshot = s), error: (e) => (end.error = e) });
  ts.flush();
  return end;
}

const lifeOf = (records: readonly JournalRecord[], key: string) => records.filter((r) => 'key' in r && r.key === key).map((r) => r.type);

// The journal's code loads at the first journaled batch, outside virtual time: load it before the marbles.
beforeAll(loadJournalPart);

describe('runBatch with a journal', () => {
  it('writes the plan, then each job: starting before its start request, started with the id, ended with the outcome', () => {
    const ts = newScheduler();
    const journal = memoryJournal();
    const order: string[] = [];
    const spy: BatchJournal = { read: journal.read, append: (r) => void (order.push(`${r.type}${'key' in r ? ` ${r.key}` : ''}`), journal.append(r)) };
    ts.run(() => {
      const { deps } = fakeDeps(ts, { start: (i) => (order.push(`POST k${i}`), of(progress('Running', 0, '', idOf(i)))) });
      const end = last(ts, runBatch(deps, jobsOf(2), { journal: spy, concurrency: 1, snapshotIntervalMs: 0 }));
      expect(end.snapshot).toMatchObject({ done: true, succeeded: 2, journal: { resumed: 0, adopted: 0, restarted: 0, uncertain: 0 } });
    });
    expect(order).toEqual(['planned', 'starting k0', 'POST k0', 'started k0', 'ended k0', 'starting k1', 'POST k1', 'started k1', 'ended k1']);
    const ended = journal.records.find((r) => r.type === 'ended')!;
    expect(ended).toEqual({ type: 'ended', at: expect.any(String), key: 'k0', executionId: idOf(0), outcome: { state: 'succeeded', status: 'Success', documents: [{ id: 'd0', displayName: 'Doc 0.pdf' }] } });
    expect(journal.records[0]).toEqual(plannedOf(2));
  });

  it('refuses jobs without a key before reading the journal (SmartFlowsInputError)', () => {
    const ts = newScheduler();
    const { deps } = fakeDeps(ts);
    const end = last(ts, runBatch(deps, [{ flowId: FLOW_ID, input: '<A/>' }], { journal: memoryJournal() }));
    expect(end.error).toBeInstanceOf(SmartFlowsInputError);
    expect((end.error as Error).message).toMatch(/jobs\[0\] needs a key/);
  });

  it.each([
    ['another input', (jobs: BatchJob[]) => jobs.map((j, i) => (i === 1 ? { ...j, input: '<Job><N>changed</N></Job>' } : j)), /Job "k1" has another flow or input/],
    ['a job left out', (jobs: BatchJob[]) => jobs.slice(0, 2), /a job "k2" that this job list lacks/],
    ['a job added', (jobs: BatchJob[]) => [...jobs, { flowId: FLOW_ID, input: '<X/>', key: 'new' }], /Job "new" is not in the journal's batch/],
  ])('refuses a job list that no longer matches the journal (%s), naming the key, with no request', (_, change, message) => {
    const ts = newScheduler();
    const { deps, calls } = fakeDeps(ts);
    const end = last(ts, runBatch(deps, change(jobsOf(3)), { journal: memoryJournal([plannedOf(3)]) }));
    expect(end.error).toBeInstanceOf(SmartFlowsInputError);
    expect((end.error as Error).message).toMatch(message);
    expect(calls.starts.length + calls.lists.length + calls.watches.length).toBe(0);
  });

  it('resumes: ended jobs come from the journal with no request, started ones are watched, new ones started', () => {
    const ts = newScheduler();
    const outcome = { state: 'failed' as const, status: 'Error' as const, documents: [], error: { name: 'FlowExecutionError', message: 'boom' } };
    const journal = memoryJournal([
      plannedOf(3),
      { type: 'starting', at: T0, key: 'k0' },
      { type: 'started', at: T0, key: 'k0', executionId: idOf(0) },
      { type: 'ended', at: T0, key: 'k0', executionId: idOf(0), outcome },
      { type: 'starting', at: T0, key: 'k1' },
      { type: 'started', at: T0, key: 'k1', executionId: idOf(1) },
    ]);
    ts.run(() => {
      const { deps, calls } = fakeDeps(ts);
      const end = last(ts, runBatch(deps, jobsOf(3), { journal, snapshotIntervalMs: 0 }));
      expect(calls).toEqual({ starts: [2], watches: [idOf(1)], lists: [], gets: [] });
      const s = end.snapshot!;
      expect(s).toMatchObject({ done: true, succeeded: 2, failed: 1, uncertain: 0, journal: { resumed: 2, adopted: 0, restarted: 0, uncertain: 0 } });
      expect(s.items.map((i) => [i.key, i.state, i.resumedAs])).toEqual([['k0', 'failed', 'journal'], ['k1', 'succeeded', 'watched'], ['k2', 'succeeded', undefined]]);
      expect(s.items[0]).toMatchObject({ executionId: idOf(0), outcome });
    });
    expect(lifeOf(journal.records, 'k1')).toEqual(['starting', 'started', 'ended']);
    expect(journal.records.filter((r) => r.type === 'planned')).toHaveLength(1);
  });

  it('adopts the execution of a job left starting whose inputData matches, skipping ones the journal knows', () => {
    const ts = newScheduler();
    // k0 is known (started); the server also has k1's orphan, which the journal never heard of.
    const journal = memoryJournal([plannedOf(2), { type: 'starting', at: T0, key: 'k0' }, { type: 'started', at: T0, key: 'k0', executionId: idOf(0) }, { type: 'starting', at: T0, key: 'k1' }]);
    ts.run(() => {
      const { deps, calls } = fakeDeps(ts, { executions: [execution(1), execution(0)] });
      const end = last(ts, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
      expect(calls.starts).toEqual([]);
      expect(calls.lists).toEqual([{ flowId: FLOW_ID, page: 0, size: 100, sort: 'createdAt,desc' }]);
      expect(calls.gets).toEqual([idOf(1)]);
      expect(calls.watches).toEqual([idOf(0), idOf(1)]);
      expect(end.snapshot).toMatchObject({ succeeded: 2, journal: { resumed: 1, adopted: 1, restarted: 0, uncertain: 0 } });
      expect(end.snapshot!.items[1]).toMatchObject({ resumedAs: 'adopted', executionId: idOf(1) });
    });
    expect(lifeOf(journal.records, 'k1')).toEqual(['starting', 'started', 'ended']);
    expect(journal.records.find((r) => r.type === 'started' && r.key === 'k1')).toMatchObject({ adopted: true, executionId: idOf(1) });
  });

  it('starts a job left starting again when every execution since is read and none has its input', () => {
    const ts = newScheduler();
    const other = execution(7, { state: { inputData: { xml: '<Other/>' } } });
    const journal = memoryJournal([plannedOf(1), { type: 'starting', at: T0, key: 'k0' }]);
    ts.run(() => {
      const { deps, calls } = fakeDeps(ts, { executions: [other] });
      const end = last(ts, runBatch(deps, jobsOf(1), { journal, snapshotIntervalMs: 0 }));
      expect(calls.gets).toEqual([idOf(7)]);
      expect(calls.starts).toEqual([0]);
      expect(end.snapshot).toMatchObject({ succeeded: 1, journal: { restarted: 1, adopted: 0 } });
      expect(end.snapshot!.items[0]!.resumedAs).toBe('restarted');
    });
  });

  it.each([
    ['the listing fails', { listFails: true }, /could not be listed/, []],
    ["a candidate's input cannot be read", { executions: [execution(5, { state: {} })] }, /could not be read or compared/, [idOf(5)]],
  ])('reports a job left starting as uncertain and starts nothing when %s', (_, server, reason, candidateIds) => {
    const ts = newScheduler();
    const journal = memoryJournal([plannedOf(2), { type: 'starting', at: T0, key: 'k0' }]);
    ts.run(() => {
      const { deps, calls } = fakeDeps(ts, server);
      const end = last(ts, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
      expect(calls.starts).toEqual([1]);
      const s = end.snapshot!;
      expect(s).toMatchObject({ done: true, uncertain: 1, succeeded: 1, percentage: 100, journal: { uncertain: 1 } });
      expect(s.items[0]).toMatchObject({ state: 'uncertain', uncertainty: { reason: expect.stringMatching(reason), candidateIds } });
    });
    expect(journal.records.at(-1)!.type).not.toBe('uncertain'); // k1 ran after
    expect(journal.records.find((r) => r.type === 'uncertain')).toMatchObject({ key: 'k0', candidateIds });
    // Still unsettled: the next run reconciles it again rather than starting it.
    const ts2 = newScheduler();
    ts2.run(() => {
      const { deps, calls } = fakeDeps(ts2, server);
      last(ts2, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
      expect(calls.starts).toEqual([]);
      expect(calls.lists).toHaveLength(1);
    });
  });

  it('journals a failure as ended only when final: a flow error is, a network failure after the start is not (it is watched next run)', () => {
    const ts = newScheduler();
    const journal = memoryJournal();
    ts.run(() => {
      const { deps } = fakeDeps(ts);
      deps.journaled!.follow = (first$) =>
        new Observable<ExecutionEvent>((s) =>
          first$.subscribe((p) =>
            s.error(p.id === idOf(0) ? new FlowExecutionError(progress('Error', 40, 'bad', p.id)) : new SmartFlowsNetworkError({ method: 'GET', url: 'x', maybeReceived: false }, { executionId: p.id })),
          ),
        );
      const end = last(ts, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
      expect(end.snapshot).toMatchObject({ failed: 2 });
      expect(end.snapshot!.items[0]!.outcome).toEqual({ state: 'failed', status: 'Error', documents: [], error: { name: 'FlowExecutionError', message: expect.stringMatching(/ended with status Error/) } });
    });
    expect(lifeOf(journal.records, 'k0')).toEqual(['starting', 'started', 'ended']);
    expect(lifeOf(journal.records, 'k1')).toEqual(['starting', 'started']);
    const ts2 = newScheduler();
    ts2.run(() => {
      const { deps, calls } = fakeDeps(ts2);
      const end = last(ts2, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
      expect(calls).toMatchObject({ starts: [], watches: [idOf(1)] });
      expect(end.snapshot!.items.map((i) => i.state)).toEqual(['failed', 'succeeded']);
    });
  });

  it('journals a refused start (4xx) as ended; one that may have reached the server (5xx) stays starting', () => {
    const ts = newScheduler();
    const journal = memoryJournal();
    ts.run(() => {
      const refused = new SmartFlowsHttpError({ status: 400, method: 'POST', url: 'x', body: '' });
      const unknown = Object.assign(new SmartFlowsHttpError({ status: 502, method: 'POST', url: 'x', body: '' }), { executionMayExist: true });
      const { deps } = fakeDeps(ts, { start: (i) => throwError(() => (i === 0 ? refused : unknown)) });
      last(ts, runBatch(deps, jobsOf(2), { journal, snapshotIntervalMs: 0 }));
    });
    expect(lifeOf(journal.records, 'k0')).toEqual(['starting', 'ended']);
    expect(journal.records.find((r) => r.type === 'ended')).toMatchObject({ outcome: { state: 'failed', error: { name: 'SmartFlowsHttpError', httpStatus: 400 } } });
    expect(lifeOf(journal.records, 'k1')).toEqual(['starting']);
  });

  it('stops the batch with SmartFlowsJournalError, starting nothing, when the journal cannot be written', () => {
    const ts = newScheduler();
    const broken: BatchJournal = { read: () => ({ records: [] }), append: (r) => (r.type === 'planned' ? undefined : Promise.reject(new Error('disk full'))) };
    const starts: number[] = [];
    return new Promise<void>((resolve) => {
      const { deps, calls } = fakeDeps(ts);
      runBatch(deps, jobsOf(2), { journal: broken })
        .pipe(finalize(() => starts.push(...calls.starts)))
        .subscribe({
          error: (error) => {
            expect(error).toBeInstanceOf(SmartFlowsJournalError);
            expect((error as Error).message).toMatch(/could not be written: disk full/);
            resolve();
          },
        });
      ts.flush();
    }).then(() => expect(starts).toEqual([]));
  });

  it('reports a torn last line the journal read back', () => {
    const ts = newScheduler();
    const journal: BatchJournal = { read: () => ({ records: [plannedOf(1)], tornLine: '{"type":"sta' }), append: () => undefined };
    ts.run(() => {
      const { deps } = fakeDeps(ts);
      const end = last(ts, runBatch(deps, jobsOf(1), { journal, snapshotIntervalMs: 0 }));
      expect(end.snapshot!.journal).toEqual({ resumed: 0, adopted: 0, restarted: 0, uncertain: 0, tornLine: '{"type":"sta' });
    });
  });
});
