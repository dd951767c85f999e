import { isGuid } from '../api/ids';
import { SmartFlowsInputError } from '../errors';
import { MAX_TIMER_MS } from '../options';
import type { BatchJournal } from '../batch/journalTypes';
import { BATCH_DEFAULTS, type BatchControlOptions, type BatchJob } from './batchTypes';

/** A batch's arguments after checking: the keys in job order and every option filled in. */
export interface CheckedBatch {
  keys: string[];
  concurrency: number;
  failFast: boolean;
  snapshotIntervalMs: number;
  journal?: BatchJournal;
}

const fail = (message: string): never => {
  throw new SmartFlowsInputError(message);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a batch's jobs and options before any request; gives each job its key.
 * @throws SmartFlowsInputError naming the first bad job or option.
 */
export function checkBatch(jobs: unknown, options: unknown): CheckedBatch {
  if (!Array.isArray(jobs)) fail('jobs must be an array of { flowId, input?, key? }');
  const list = jobs as unknown[];
  const keys: string[] = [];
  const seen = new Set<string>();
  list.forEach((job, index) => {
    if (!isObject(job)) fail(`jobs[${index}] must be an object { flowId, input?, key? }`);
    const { flowId, key } = job as Partial<BatchJob>;
    if (!isGuid(flowId)) fail(`jobs[${index}].flowId must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56`);
    if (key !== undefined && (typeof key !== 'string' || key === '')) fail(`jobs[${index}].key must be a non-empty string`);
    const k = key ?? String(index);
    if (seen.has(k)) fail(`jobs[${index}] has the key "${k}" of an earlier job; keys must be unique`);
    seen.add(k);
    keys.push(k);
  });

  if (!isObject(options)) fail('options must be an object');
  const { journal } = options as BatchControlOptions;
  if (journal !== undefined) {
    const j = journal as unknown as Record<string, unknown>;
    if (typeof j !== 'object' || j === null || typeof j.read !== 'function' || typeof j.append !== 'function') fail('journal must have read() and append(record)');
    // A key is how a resumed run finds a job in the journal: an index would follow the job list's order.
    const unnamed = list.findIndex((job) => (job as Partial<BatchJob>).key === undefined);
    if (unnamed >= 0) fail(`jobs[${unnamed}] needs a key: with a journal every job needs a stable key`);
  }
  const { concurrency = BATCH_DEFAULTS.concurrency, failFast = BATCH_DEFAULTS.failFast, snapshotIntervalMs = BATCH_DEFAULTS.snapshotIntervalMs } =
    options as BatchControlOptions;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) fail('concurrency must be a whole number ≥ 1');
  if (typeof failFast !== 'boolean') fail('failFast must be true or false');
  if (typeof snapshotIntervalMs !== 'number' || !Number.isFinite(snapshotIntervalMs) || snapshotIntervalMs < 0) {
    fail('snapshotIntervalMs must be a number ≥ 0');
  }
  return { keys, concurrency, failFast, snapshotIntervalMs: Math.min(snapshotIntervalMs, MAX_TIMER_MS), ...(journal ? { journal } : {}) };
}
