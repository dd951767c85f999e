import { stat } from 'node:fs/promises';
import { from, map, mergeMap, type Observable, of, toArray } from 'rxjs';
import { type BatchItem, type BatchSnapshot, findDocuments, isSmartFlowsBatchError, isSmartFlowsInputError, isSmartFlowsJournalError } from '../../index';
import type { CommandContext } from '../Command';
import type { Connection } from '../connect';
import { EXIT } from '../exitCodes';
import { describe, errorJson, exitCodeOf, failureStatus } from '../failures';
import { type CliJournal, UnreadableJournal } from '../openJournal';
import { bar } from '../Terminal';
import { safeFileName, writeDocuments, type WrittenDocument } from '../writeDocuments';
import { journalJson, journalSummary, reportJournal, uncertainAdvice } from './batchJournal';
import { DRAIN_MS } from './follow';

/** Documents downloaded side by side in a batch (each job's files one after the other). */
const DOWNLOADS_AT_ONCE = 4;

interface Ended {
  item: BatchItem;
  written: WrittenDocument[];
}

/** What the batch command passes on besides the snapshots. */
export interface RunSettings {
  out: string | undefined;
  cancelOnExit: boolean;
  journal: CliJournal | undefined;
  /** The jobs file's name, for messages. */
  source: string;
}

/** A job that ended in an earlier run of a journaled batch (so no error and no progress, its outcome instead). */
const fromJournal = (item: BatchItem) => item.resumedAs === 'journal';

/**
 * Shows a batch's snapshots as they come (a line per ended job, the bar, `--json` lines, documents
 * written to `--out`), handles Ctrl-C, and resolves to the exit code after the summary.
 */
export function runJobs(context: CommandContext, connection: Connection, snapshots$: Observable<BatchSnapshot>, settings: RunSettings): Promise<number> {
  const { term, interrupts } = context;
  const { journal } = settings;
  const startedAt = Date.now();
  let last: BatchSnapshot | undefined;
  let previous: readonly BatchItem[] = [];
  const failures: unknown[] = [];

  const download = (item: BatchItem): Observable<Ended> => {
    if (!settings.out || item.state !== 'succeeded') return of({ item, written: [] });
    const dir = `${settings.out}/${safeFileName(item.key, 'job')}`;
    // A job ended before: its documents were written then, unless that run died first.
    const refs$ = fromJournal(item) ? from(stat(dir).then(() => [], () => item.outcome?.documents ?? [])) : of(findDocuments([item.progress?.model, item.execution?.state]));
    return refs$.pipe(
      mergeMap((refs) => from(refs)),
      mergeMap((ref) => connection.client.downloadDocument(ref.id), 1),
      toArray(),
      mergeMap((documents) => (documents.length === 0 && fromJournal(item) ? of([]) : writeDocuments(dir, documents))),
      map((written) => ({ item, written })),
    );
  };

  const reportUncertain = (item: BatchItem) => {
    const { reason = '', candidateIds = [] } = item.uncertainty ?? {};
    term.result(`${term.paint('Uncertain'.padEnd(11), 'yellow')} ${item.key}  -  ${reason}`);
    if (candidateIds.length > 0) term.result(`  may be one of: ${candidateIds.join(', ')}`);
    term.event({ type: 'job', key: item.key, state: 'uncertain', reason, candidateIds });
  };

  const report = ({ item, written }: Ended) => {
    if (item.state === 'uncertain') {
      reportUncertain(item);
      drawBar();
      return;
    }
    const ok = item.state === 'succeeded';
    const old = fromJournal(item);
    const status = old ? (item.outcome?.status ?? (ok ? 'Success' : (item.outcome?.error?.name ?? 'Failed'))) : ok ? (item.progress?.status ?? 'Success') : failureStatus(item.error);
    if (!ok) failures.push(old ? item.outcome?.error : item.error);
    const why = old ? (item.outcome?.error?.message ?? '') : describe(item.error);
    const detail = old ? `${ok ? 'ended before' : why} (from the journal)` : ok ? (item.progress?.message ?? '') : why;
    const colour = !ok ? 'red' : status === 'Warning' ? 'yellow' : 'green';
    term.result(`${term.paint(status.padEnd(11), colour)} ${item.key}  ${item.executionId ?? '-'}  ${detail}`.trimEnd());
    for (const doc of written) term.result(`  wrote ${doc.path} (${doc.bytes} bytes)`);
    const failure = old ? { error: item.outcome?.error?.name ?? 'Error', message: why } : errorJson(item.error);
    term.event({
      type: 'job',
      key: item.key,
      state: item.state,
      status,
      ...(item.executionId ? { executionId: item.executionId } : {}),
      ...(item.resumedAs ? { resumed: item.resumedAs } : {}),
      ...(ok ? { message: item.progress?.message, documents: written } : failure),
    });
    drawBar();
  };

  const drawBar = () => {
    if (!last) return;
    const { total, succeeded, failed, running, percentage } = last;
    term.status(`${bar(percentage)} ${String(percentage).padStart(3)}% ${succeeded + failed}/${total}  ${term.paint(`✔ ${succeeded}`, 'green', 'err')}  ${term.paint(`✘ ${failed}`, failed ? 'red' : 'dim', 'err')}  ▶ ${running} running`);
  };

  // Jobs that ended since the last snapshot (and, for --json, jobs that just got an execution).
  const changes = (snapshot: BatchSnapshot): BatchItem[] => {
    if (!last && journal && snapshot.journal) reportJournal(term, journal, snapshot.journal);
    const ended: BatchItem[] = [];
    snapshot.items.forEach((item, i) => {
      const before = previous[i];
      if (item.executionId && !before?.executionId && !fromJournal(item)) {
        term.event({ type: 'job', key: item.key, state: 'running', executionId: item.executionId, ...(item.resumedAs ? { resumed: item.resumedAs } : {}) });
      }
      if (item.state !== 'queued' && item.state !== 'running' && before?.state !== item.state) ended.push(item);
    });
    previous = snapshot.items;
    last = snapshot;
    drawBar();
    return ended;
  };

  const summary = (code: number): number => {
    term.clearStatus();
    if (!last) return code;
    const { total, succeeded, failed, uncertain } = last;
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    term.event({ type: 'summary', total, succeeded, failed, running: last.running, queued: last.queued, ...(journal ? { uncertain, ...journalJson(journal, last) } : {}) });
    if (!term.json) {
      const left = last.running + last.queued ? `, ${last.running} running, ${last.queued} not started` : '';
      term.note(`${total} job${total === 1 ? '' : 's'} in ${seconds} s: ${succeeded} succeeded, ${failed} failed${uncertain ? `, ${uncertain} uncertain` : ''}${left}${journal ? journalSummary(last.items) : ''}`);
    }
    if (journal && uncertain > 0) uncertainAdvice(term, journal, uncertain);
    return code;
  };

  /** Why the batch could not run at all, when the journal is the reason (exit 2), else undefined. */
  const journalRefusal = (error: unknown): string | undefined => {
    if (!journal) return undefined;
    const cause = isSmartFlowsJournalError(error) ? (error as { cause?: unknown }).cause : undefined;
    if (cause instanceof UnreadableJournal) return cause.message;
    // The journal was read and no snapshot came: the jobs did not match the journal's plan.
    if (journal.read && !last && isSmartFlowsInputError(error)) return `${journal.path} is the journal of another batch than ${settings.source}: ${error.message} (a new batch needs a new journal file)`;
    return undefined;
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number) => resolve(summary(code));
    const subscription = snapshots$
      .pipe(
        mergeMap((snapshot) => from(changes(snapshot))),
        mergeMap(download, DOWNLOADS_AT_ONCE),
      )
      .subscribe({
        next: report,
        error: async (error: unknown) => {
          // --fail-fast: the failed job is not in a snapshot yet; the rest were unsubscribed
          // (and, with --cancel-on-exit, canceled: let those calls arrive).
          await connection.requests.drain(DRAIN_MS);
          await journal?.flushed();
          term.clearStatus();
          if (isSmartFlowsBatchError(error)) {
            const cause = (error as { cause?: unknown }).cause;
            const item: BatchItem = { key: error.key, state: 'failed', error: cause, ...(error.executionId ? { executionId: error.executionId } : {}) };
            if (!previous.some((p) => p.key === error.key && p.state === 'failed')) report({ item, written: [] });
            if (last) last = { ...last, failed: last.failed + 1, running: Math.max(0, last.running - 1) };
            term.note(`Stopped at the first failure (--fail-fast): job ${error.key}`);
            finish(exitCodeOf(cause));
            return;
          }
          const refusal = journalRefusal(error);
          term.event({ type: 'error', ...errorJson(error), ...(refusal ? { message: refusal } : {}) });
          term.note(`smart-flows batch: ${refusal ?? describe(error)}`);
          finish(refusal ? EXIT.usage : exitCodeOf(error));
        },
        complete: () => {
          const failed = last?.failed ?? 0;
          // Every failure a refused connection, nothing succeeded: the server was out of reach.
          const unreachable = failed > 0 && last?.succeeded === 0 && failures.every((e) => exitCodeOf(e) === EXIT.unreachable);
          finish(failed === 0 && !last?.uncertain ? EXIT.ok : unreachable ? EXIT.unreachable : EXIT.failed);
        },
      });

    interrupts.onInterrupt(async () => {
      subscription.unsubscribe();
      await connection.requests.drain(DRAIN_MS);
      // A record being written when Ctrl-C came is finished, so the journal ends on a whole line.
      await journal?.flushed();
      term.clearStatus();
      const running = (last?.items ?? []).filter((item) => item.state === 'running' && item.executionId);
      term.event({ type: 'interrupted', canceled: settings.cancelOnExit, running: running.map(({ key, executionId }) => ({ key, executionId })), ...(journal ? { journal: journal.path } : {}) });
      const fate = settings.cancelOnExit ? 'canceled' : 'going on on the server (follow one with: smart-flows watch <executionId>)';
      term.note(`Interrupted: ${running.length} running job${running.length === 1 ? '' : 's'} ${fate}`);
      for (const { key, executionId } of running) term.note(`  ${key}  ${executionId}`);
      if (journal) term.note(`Run the same command again to resume the batch from ${journal.path}.`);
      // No summary: its counts were taken before the stop and would call canceled jobs running.
      resolve(EXIT.interrupted);
    });
  });
}
