import { SmartFlowsInputError } from '../errors';
import type { BatchOutcome, JournalPlannedJob, JournalRecord } from './journalTypes';

/** Where the journal left one job. */
export type JobReplay =
  | { phase: 'new' }
  /** A start was (perhaps) sent; `sinceMs` is the first such attempt since the last certain state. */
  | { phase: 'starting'; sinceMs: number; traceparent?: string }
  | { phase: 'started'; executionId: string; traceparent?: string }
  | { phase: 'ended'; executionId?: string; outcome: BatchOutcome };

/** A journal read back: whether it had a plan, each job's place, and every execution id it names. */
export interface Replay {
  planned: boolean;
  jobs: Map<string, JobReplay>;
  /** Lower-cased execution ids the journal knows (none of them can be another job's orphan). */
  knownIds: Set<string>;
}

/**
 * Folds a journal's records into each job's last state and checks them against the jobs of
 * this run: the same keys, and for each the same flow and input hash. The records are valid
 * and fit together (`checkJournal` passed: a plan first, known keys, parseable times, one
 * execution id per job).
 * @throws SmartFlowsInputError naming the first key that does not match
 */
export function replayJournal(records: readonly JournalRecord[], jobs: readonly JournalPlannedJob[]): Replay {
  const plan = records.find((r): r is Extract<JournalRecord, { type: 'planned' }> => r.type === 'planned');
  const replay: Replay = { planned: plan !== undefined, jobs: new Map(), knownIds: new Set() };
  if (!plan) return replay;
  const wanted = new Map(jobs.map((j) => [j.key, j]));
  for (const old of plan.jobs) {
    const now = wanted.get(old.key);
    if (!now) throw new SmartFlowsInputError(`The journal's batch has a job "${old.key}" that this job list lacks: a journal resumes only the same batch`);
    if (now.flowId.toLowerCase() !== old.flowId.toLowerCase() || now.inputHash !== old.inputHash) {
      throw new SmartFlowsInputError(`Job "${old.key}" has another flow or input than in the journal: a journal resumes only the same batch`);
    }
  }
  if (plan.jobs.length !== jobs.length) {
    const known = new Set(plan.jobs.map((j) => j.key));
    const extra = jobs.find((j) => !known.has(j.key))!;
    throw new SmartFlowsInputError(`Job "${extra.key}" is not in the journal's batch: a journal resumes only the same batch`);
  }
  for (const job of jobs) replay.jobs.set(job.key, { phase: 'new' });
  for (const record of records) {
    if (record.type === 'planned') continue;
    const current = replay.jobs.get(record.key);
    if (!current) continue;
    switch (record.type) {
      case 'starting':
        // A second attempt after a certain "none" keeps the first time: the window then covers both.
        if (current.phase !== 'starting') replay.jobs.set(record.key, { phase: 'starting', sinceMs: Date.parse(record.at), ...traceOf(record) });
        break;
      case 'started':
        replay.knownIds.add(record.executionId.toLowerCase());
        replay.jobs.set(record.key, { phase: 'started', executionId: record.executionId, ...(current.phase === 'starting' ? traceOf(current) : {}) });
        break;
      case 'ended':
        if (record.executionId) replay.knownIds.add(record.executionId.toLowerCase());
        replay.jobs.set(record.key, { phase: 'ended', ...(record.executionId ? { executionId: record.executionId } : {}), outcome: record.outcome });
        break;
      case 'uncertain':
        // Still unknown: the next run reconciles again over the same window.
        break;
      case 'written':
        // A document its caller saved: not the batch's business.
        break;
    }
  }
  return replay;
}

/** The `traceparent` a `starting` record kept (a string: the journal is checked loosely for it). */
const traceOf = (from: { traceparent?: unknown }): { traceparent?: string } => (typeof from.traceparent === 'string' ? { traceparent: from.traceparent } : {});
