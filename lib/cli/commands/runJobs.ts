import { join } from 'node:path';
import { from, mergeMap, type Observable, tap } from 'rxjs';
import { type BatchItem, type BatchSnapshot, isSmartFlowsBatchError } from '../../index';
import type { CommandContext } from '../Command';
import type { Connection } from '../connect';
import { EXIT } from '../exitCodes';
import { describe, exitCodeOf, showing } from '../failures';
import type { CliJournal } from '../openJournal';
import { batchExitCode, journalRefusal, startsLost } from './batchExitCode';
import { onBatchInterrupt } from './batchInterrupt';
import { BatchState } from './batchState';
import { BatchView, type EndedJob } from './batchView';
import { DRAIN_MS } from './follow';
import { jobFolders } from '../jobFolders';
import { jobDocuments } from './jobDocuments';

/** Documents downloaded side by side in a batch (each job's files one after the other). */
const DOWNLOADS_AT_ONCE = 4;

/** What the batch command passes on besides the snapshots. */
export interface RunSettings {
  out: string | undefined;
  cancelOnExit: boolean;
  journal: CliJournal | undefined;
  /** The jobs file's name, for messages. */
  source: string;
  /** Every job's key (their folders under `--out` are chosen from them all). */
  keys: readonly string[];
  /** `--timeout` (0: none): also the longest wait for each document a job downloads. */
  timeoutMs: number;
  /** The flow of a job, by its key (to say where to look for an execution that may exist). */
  flowOf: (key: string) => string | undefined;
}

/**
 * Shows a batch's snapshots as they come (a line per ended job, the bar, `--json` lines, documents
 * written to `--out`), handles Ctrl-C, and resolves to the exit code after the summary. The
 * parts: {@link BatchState} (where the batch is), {@link BatchView} (what is shown),
 * {@link jobDocuments} (files), {@link batchExitCode} (the code), {@link onBatchInterrupt} (Ctrl-C).
 */
export function runJobs(context: CommandContext, connection: Connection, snapshots$: Observable<BatchSnapshot>, settings: RunSettings): Promise<number> {
  const { journal } = settings;
  const state = new BatchState();
  const view = new BatchView(context.term, state, journal, settings.cancelOnExit);
  const documents = { connection, out: settings.out, journal, folderOf: jobFolders(settings.keys), timeoutMs: settings.timeoutMs };

  // Jobs that ended since the last snapshot (and, for --json, jobs that just got an execution).
  const changes = (snapshot: BatchSnapshot): BatchItem[] => {
    const { first, started, ended } = state.take(snapshot);
    if (first) view.journalRead(snapshot);
    started.forEach((item) => view.started(item));
    view.bar();
    return ended;
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      view.summary();
      if (code === EXIT.mayExist) view.startsLost(startsLost(state), settings.flowOf);
      resolve(code);
    };
    const subscription = snapshots$
      .pipe(
        mergeMap((snapshot) => from(changes(snapshot))),
        mergeMap((item) => jobDocuments(documents, item), DOWNLOADS_AT_ONCE),
        // Shown inside the pipe: whatever printing throws ends the stream and reaches the exit code.
        tap(
          showing((ended: EndedJob) => {
            state.reported(ended.item.key);
            if (ended.item.state === 'failed') state.failed(ended.item);
            if (ended.failure) state.unsavedDocuments(ended.failure);
            view.ended(ended);
          }),
        ),
      )
      .subscribe({
        error: (error: unknown) => void onError(error).catch(lastResort),
        complete: () => finish(batchExitCode(state)),
      });
    onBatchInterrupt(context, subscription, { connection, state, view, journal, cancelOnExit: settings.cancelOnExit, dirOf: (key) => (settings.out ? join(settings.out, documents.folderOf(key)) : undefined) }, resolve);

    async function onError(error: unknown): Promise<void> {
      // --fail-fast: the failed job is not in a snapshot yet; the rest were unsubscribed
      // (and, with --cancel-on-exit, canceled: let those calls arrive).
      await connection.requests.drain(DRAIN_MS);
      await journal?.flushed();
      context.term.clearStatus();
      if (isSmartFlowsBatchError(error)) {
        const cause = (error as { cause?: unknown }).cause;
        const item: BatchItem = { key: error.key, state: 'failed', error: cause, ...(error.executionId ? { executionId: error.executionId } : {}) };
        if (!state.endedAsFailed(error.key)) view.ended({ item, written: [] });
        state.countFailFast();
        view.failedFast(error.key);
        finish(exitCodeOf(cause, true));
        return;
      }
      const refusal = journalRefusal(error, journal, state, settings.source);
      view.batchError(error, refusal);
      // The batch stopped: executions it started go on, and each is named, also one whose start
      // was answered as the batch stopped (no snapshot holds it: e.g. its record could not be journaled).
      const known = new Set(state.snapshot?.items.map((item) => item.executionId));
      view.goingOn(state.running(), connection.requests.starts().ids.filter((id) => !known.has(id)));
      finish(refusal ? EXIT.usage : exitCodeOf(error, true));
    }

    /** The command's last words when even reporting the failure failed. */
    function lastResort(failure: unknown): void {
      context.term.clearStatus();
      context.term.note(`smart-flows batch: ${describe(failure)}`);
      resolve(EXIT.failed);
    }
  });
}
