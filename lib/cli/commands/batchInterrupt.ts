import type { Subscription } from 'rxjs';
import type { CommandContext } from '../Command';
import type { Connection } from '../connect';
import { EXIT } from '../exitCodes';
import type { CliJournal } from '../openJournal';
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
}

/**
 * On Ctrl-C: unsubscribes the batch (with `--cancel-on-exit` the client then cancels what
 * runs), lets the cancel calls and the journal's last record arrive, reports what was left
 * running and resolves the exit code 130. No summary: its counts were taken before the stop
 * and would call canceled jobs running.
 */
export function onBatchInterrupt(context: CommandContext, subscription: Subscription, parts: BatchInterruptParts, resolve: (code: number) => void): void {
  const { connection, state, view, journal, cancelOnExit } = parts;
  context.interrupts.onInterrupt(async () => {
    subscription.unsubscribe();
    await connection.requests.drain(DRAIN_MS);
    // A record being written when Ctrl-C came is finished, so the journal ends on a whole line.
    await journal?.flushed();
    view.interrupted(state.running(), cancelOnExit);
    resolve(EXIT.interrupted);
  });
}
