import { UsageError } from './UsageError';

/**
 * The journal of `batch --journal <file>`. The batch journal (`runBatch(jobs, { journal })`
 * with `fileJournal(path)` from `smart-flows-rx/node`) is not in the library yet, so the
 * flag is parsed and checked but refused with exit 2 rather than pretending to resume.
 * When it lands: `return fileJournal(path)` and pass it to `runBatch`.
 */
export function openJournal(path: string | boolean | undefined): undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') throw new UsageError('--journal needs a file name');
  throw new UsageError('--journal is not supported yet (resumable batches need the batch journal, which this version of smart-flows-rx does not have); run without it');
}
