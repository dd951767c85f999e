import type { Subscription } from 'rxjs';
import type { CommandContext } from '../Command';
import type { Connection } from '../connect';
import { EXIT } from '../exitCodes';
import type { CliJournal } from '../openJournal';
import type { CancelOutcome } from '../trackedFetch';
import type { BatchState } from './batchState';
import type { BatchView } from './batchView';
import { DRAIN_MS } from './follow';

/** What the Ctrl-C handler of a batch stops, waits for and reports. */
export interface BatchInterruptParts {
  connection: Connection;
  state: BatchState;
  view: BatchView;
  journal: CliJournal | undefined;
  cancelOnExit: boolean;
  /** A job's folder under `--out` (none without it), to say how to get the documents of a job that ended while they were being saved. */
  dirOf: (key: string) => string | undefined;
}

/**
 * On Ctrl-C: unsubscribes the batch (with `--cancel-on-exit` the client then cancels what
 * runs), lets the cancel calls and the journal's last record arrive, reports each execution
 * left running with what came of its cancel call (canceled, refused, no answer), each start
 * whose answer was not seen and each job that ended while its documents were being saved (not
 * saved: how to get them), and resolves the exit code 130. No summary: its counts were taken before the stop
 * and would call canceled jobs running.
 */
const notSent: CancelOutcome = { state: 'unanswered', reason: 'no cancel call was sent' };

export function onBatchInterrupt(context: CommandContext, subscription: Subscription, parts: BatchInterruptParts, resolve: (code: number) => void): void {
  const { connection, state, view, journal, cancelOnExit, dirOf } = parts;
  context.interrupts.onInterrupt(async () => {
    // Starts already sent: their answers name the executions (to report, or to cancel).
    await state.startsAnswered(DRAIN_MS);
    subscription.unsubscribe();
    await connection.requests.drain(DRAIN_MS);
    // A record being written when Ctrl-C came is finished, so the journal ends on a whole line.
    await journal?.flushed();
    const running = state.running().map((item) => ({ item, ...(cancelOnExit ? { cancel: connection.requests.cancelOutcome(item.executionId!) ?? notSent } : {}) }));
    view.interrupted(running, state.startsUnanswered(), state.endedUnreported(), dirOf);
    resolve(EXIT.interrupted);
  }, () => view.stoppedAtOnce(state.running(), state.startsUnanswered(), state.endedUnreported()));
}
