import { type BatchItem, isSmartFlowsInputError, isSmartFlowsJournalError } from '../../index';
import { EXIT } from '../exitCodes';
import { exitCodeOf } from '../failures';
import { type CliJournal, UnreadableJournal } from '../openJournal';
import { type BatchState, fromJournal } from './batchState';

/**
 * The exit code of a batch that ran to its end: 0 when every job succeeded and none is
 * uncertain; 4 when a job's start was sent and its answer never came (an execution may exist:
 * a retry must look first, whatever else failed); 3 when every job failed because the server was
 * out of reach; else 1.
 */
export function batchExitCode(state: BatchState): number {
  const last = state.counts();
  const failed = last?.failed ?? 0;
  if (failed === 0 && !last?.uncertain) return EXIT.ok;
  if (state.failures.some((e) => exitCodeOf(e, true) === EXIT.mayExist)) return EXIT.mayExist;
  // Every failure a refused connection, nothing succeeded: the server was out of reach.
  const unreachable = failed > 0 && last?.succeeded === 0 && state.failures.every((e) => exitCodeOf(e, true) === EXIT.unreachable);
  return unreachable ? EXIT.unreachable : EXIT.failed;
}

/** The jobs that failed with their start sent and its answer never seen (an execution may exist for each), from the last snapshot. */
export function startsLost(state: BatchState): BatchItem[] {
  return (state.snapshot?.items ?? []).filter((item) => item.state === 'failed' && !fromJournal(item) && exitCodeOf(item.error, true) === EXIT.mayExist);
}

/**
 * Why the batch could not run at all when the journal is the reason (exit 2), else undefined:
 * the journal could not be read, or it was read and no snapshot came (the jobs did not match
 * the journal's plan).
 */
export function journalRefusal(error: unknown, journal: CliJournal | undefined, state: BatchState, source: string): string | undefined {
  if (!journal) return undefined;
  const cause = isSmartFlowsJournalError(error) ? (error as { cause?: unknown }).cause : undefined;
  if (cause instanceof UnreadableJournal) return cause.message;
  if (journal.read && !state.snapshot && isSmartFlowsInputError(error)) return `${journal.path} is the journal of another batch than ${source}: ${error.message} (a new batch needs a new journal file)`;
  return undefined;
}
