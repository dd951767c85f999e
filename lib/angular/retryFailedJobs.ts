import { map, type Observable } from 'rxjs';
import { type BatchItem, type BatchJob, type BatchOptions, type BatchSnapshot, type SmartFlowsClient } from 'smart-flows-rx';
import { mayStartAgain } from './startAgain';

/** What `retry()` of a batch without a journal runs again: these jobs of `jobs`, on top of `base`. */
export interface RetryPlan {
  /** The job list the batch ran (the plan holds only while it is still the current one). */
  readonly jobs: readonly BatchJob[];
  /** The batch's last snapshot. */
  readonly base: BatchSnapshot;
  /** Indices of the jobs to start again, in job order. */
  readonly indices: readonly number[];
}

/**
 * Whether a job of an ended batch may be started again without ever running twice: it never
 * started (queued), or it failed and `mayStartAgain` (the rule `retry()` of one execution
 * follows too) says no execution of it can still run. A job whose execution may still run is
 * left as it is: watch its `executionId`, or give the batch a journal, whose resumption
 * follows or reconciles it.
 */
function jobMayStartAgain(item: BatchItem): boolean {
  if (item.state === 'queued') return true;
  return item.state === 'failed' && mayStartAgain(item.error, item.executionId);
}

/**
 * The jobs `retry()` runs again after a batch without a journal ended: those that did not
 * succeed and may start again (see `jobMayStartAgain`); succeeded jobs keep their items.
 */
export function retryPlan(jobs: readonly BatchJob[], base: BatchSnapshot): RetryPlan {
  const indices = base.items.flatMap((item, i) => (jobMayStartAgain(item) ? [i] : []));
  return { jobs, base, indices };
}

/**
 * Runs the planned jobs again (each keeps its key: its own, or its index in the whole list) and
 * gives snapshots of the whole batch: the items run again in their places, the others as they
 * were (the same objects), the counts and the percentage over every job.
 */
export function retryFailedJobs(client: SmartFlowsClient, plan: RetryPlan, options: BatchOptions): Observable<BatchSnapshot> {
  const jobs = plan.indices.map((i) => ({ ...plan.jobs[i]!, key: plan.jobs[i]!.key ?? String(i) }));
  const kept = plan.base.items.filter((_, i) => !plan.indices.includes(i));
  // The batch percentage is the mean over jobs (queued 0, ended 100): the kept jobs' share, plus the rerun's own percentage times its jobs.
  const keptSum = kept.reduce((sum, item) => sum + (item.state === 'running' ? (item.progress?.percentage ?? 0) : 100), 0);
  return client.runBatch(jobs, options).pipe(
    map((rerun): BatchSnapshot => {
      const items = plan.base.items.slice();
      plan.indices.forEach((index, j) => (items[index] = rerun.items[j]!));
      const count = (state: BatchItem['state']) => items.reduce((n, item) => n + (item.state === state ? 1 : 0), 0);
      const total = items.length;
      const percentage = rerun.done && kept.every((item) => item.state !== 'running') ? 100 : Math.round(((keptSum + rerun.percentage * jobs.length) / total) * 100) / 100;
      return { total, queued: count('queued'), running: count('running'), succeeded: count('succeeded'), failed: count('failed'), uncertain: count('uncertain'), percentage, items, done: rerun.done };
    }),
  );
}
