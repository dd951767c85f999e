import { concat, concatMap, defer, EMPTY, from, last, map, type Observable, of, type SchedulerLike, toArray } from 'rxjs';
import type { BatchJournalSummary, BatchJob } from '../execution/batchTypes';
import { appendRecord, readJournal } from './appendRecord';
import { checkJournal } from './checkJournal';
import { inputHash } from './inputHash';
import type { BatchJournal, BatchOutcome, JournalPlannedJob } from './journalTypes';
import { reconcile, type ReconcileDeps } from './reconcile';
import { replayJournal } from './replayJournal';
import { journalChannel } from '../diagnostics/channels';

/** What a journaled run does with one job. */
export type JobPlan =
  | { kind: 'start'; restarted?: true; traceparent?: string }
  | { kind: 'ended'; executionId?: string; outcome: BatchOutcome }
  | { kind: 'watch'; executionId: string; adopted?: true; traceparent?: string }
  | { kind: 'uncertain'; reason: string; candidateIds: string[] };

/** A journal opened for a run: each job's XML and plan, and what the journal held. */
export interface OpenedJournal {
  xmls: (string | undefined)[];
  plans: JobPlan[];
  summary: BatchJournalSummary;
}

/** What opening a journal needs: the XML of a job's input, and the calls of reconciliation. */
export interface OpenJournalDeps extends ReconcileDeps {
  /** The XML a job's input becomes (one value), as the start would send it. */
  prepare(job: BatchJob): Observable<string | undefined>;
}

/**
 * Reads the journal, checks it (every record and how they fit: `SmartFlowsJournalError`
 * naming the first bad one, before anything is sent), and decides each job's plan: a new
 * journal gets the `planned` record;
 * a resumed one is checked against the jobs (same keys, flows and inputs), its ended jobs are
 * reported, its started ones watched, and its jobs left `starting` reconciled one at a time
 * (so an execution one adopts is known to the next) — adopted, started again, or uncertain.
 */
export function openJournal(deps: OpenJournalDeps, journal: BatchJournal, scheduler: SchedulerLike, jobs: readonly BatchJob[], keys: readonly string[]): Observable<OpenedJournal> {
  const at = () => new Date(scheduler.now()).toISOString();
  const xmls$ = from(jobs).pipe(
    concatMap((job) => deps.prepare(job).pipe(last(undefined, undefined))),
    toArray(),
  );
  return readJournal(journal).pipe(
    concatMap((contents) => {
      checkJournal(contents);
      return xmls$.pipe(map((xmls) => ({ contents, xmls })));
    }),
    concatMap(({ contents, xmls }) => {
      const planned: JournalPlannedJob[] = jobs.map((job, i) => ({ key: keys[i]!, flowId: job.flowId, inputHash: inputHash(job.flowId, xmls[i]) }));
      const replay = replayJournal(contents.records, planned);
      const counts = { resumed: 0, adopted: 0, restarted: 0, uncertain: 0 };
      const known = new Set(replay.knownIds);
      const starting: { index: number; sinceMs: number; traceparent?: string }[] = [];
      const plans: JobPlan[] = keys.map((key, index) => {
        const state = replay.jobs.get(key) ?? { phase: 'new' as const };
        switch (state.phase) {
          case 'new':
            return { kind: 'start' };
          case 'ended':
            counts.resumed++;
            return { kind: 'ended', ...(state.executionId ? { executionId: state.executionId } : {}), outcome: state.outcome };
          case 'started':
            counts.resumed++;
            return { kind: 'watch', executionId: state.executionId, ...(state.traceparent ? { traceparent: state.traceparent } : {}) };
          case 'starting':
            starting.push({ index, sinceMs: state.sinceMs, ...(state.traceparent ? { traceparent: state.traceparent } : {}) });
            return { kind: 'start' };
        }
      });
      const plan$ = replay.planned ? EMPTY : appendRecord(journal, () => ({ type: 'planned', v: 1, at: at(), jobs: planned }));
      const reconcile$ = from(starting).pipe(
        concatMap(({ index, sinceMs, traceparent }) => {
          const trace = traceparent ? { traceparent } : {};
          const key = keys[index]!;
          return reconcile(deps, { flowId: jobs[index]!.flowId, xml: xmls[index], sinceMs }, known).pipe(
            concatMap((found) => {
              if (found.kind === 'adopt') {
                known.add(found.executionId.toLowerCase());
                plans[index] = { kind: 'watch', executionId: found.executionId, adopted: true, ...trace };
                counts.adopted++;
                return appendRecord(journal, () => ({ type: 'started', at: at(), key, executionId: found.executionId, adopted: true }));
              }
              if (found.kind === 'none') {
                plans[index] = { kind: 'start', restarted: true, ...trace };
                counts.restarted++;
                return EMPTY;
              }
              plans[index] = { kind: 'uncertain', reason: found.reason, candidateIds: found.candidateIds };
              counts.uncertain++;
              return appendRecord(journal, () => ({ type: 'uncertain', at: at(), key, reason: found.reason, candidateIds: found.candidateIds }));
            }),
          );
        }),
      );
      return concat(
        plan$,
        reconcile$,
        defer(() => {
          if (journalChannel.hasSubscribers) journalChannel.publish({ type: 'opened', ...counts });
          return of<OpenedJournal>({ xmls, plans, summary: { ...counts, ...(contents.tornLine !== undefined ? { tornLine: contents.tornLine } : {}) } });
        }),
      );
    }),
  );
}
