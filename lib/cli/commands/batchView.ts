import { type BatchItem, type BatchSnapshot, isSmartFlowsTimeoutError } from '../../index';
import { describe, errorJson, failureStatus, sentStartOutcome } from '../failures';
import type { CliJournal } from '../openJournal';
import { bar, type Terminal } from '../Terminal';
import type { CancelOutcome } from '../trackedFetch';
import { type WrittenDocument, writtenLine } from '../writeDocuments';
import { journalJson, journalSummary, reportJournal, uncertainAdvice } from './batchJournal';
import { type BatchState, fromJournal } from './batchState';

/** A job running when the batch stopped, and (with `--cancel-on-exit`) what came of its cancel call. */
export interface RunningAtStop {
  item: BatchItem;
  cancel?: CancelOutcome;
}

/** A cancel call's outcome in words. */
const cancelText = (cancel: CancelOutcome): string =>
  cancel.state === 'canceled' ? 'canceled' : cancel.state === 'refused' ? `the server refused it (HTTP ${cancel.status})` : cancel.reason;

/** A job that ended, with the documents written for it. */
export interface EndedJob {
  item: BatchItem;
  written: WrittenDocument[];
  /** Its documents could not be saved: the job counts as failed, for this reason. */
  failure?: Error;
}

/**
 * Everything the batch command shows: a line per ended job on stdout (or a `--json` line),
 * the live bar, the summary and the last words of a stopped batch. Reads the state, never
 * changes it.
 */
export class BatchView {
  constructor(
    private readonly term: Terminal,
    private readonly state: BatchState,
    private readonly journal: CliJournal | undefined,
    /** `--cancel-on-exit`: a job that timed out was canceled, not left running. */
    private readonly cancelOnExit = false,
  ) {}

  /** What the journal held (the first snapshot of a journaled batch). */
  journalRead(snapshot: BatchSnapshot): void {
    if (this.journal && snapshot.journal) reportJournal(this.term, this.journal, snapshot.journal);
  }

  /** A job got its execution (`--json` only). */
  started(item: BatchItem): void {
    this.term.event({ type: 'job', key: item.key, state: 'running', executionId: item.executionId, ...(item.resumedAs ? { resumed: item.resumedAs } : {}) });
  }

  /** A job ended: its line (and the documents written), then the bar again. */
  ended({ item, written, failure }: EndedJob): void {
    if (item.state === 'uncertain') this.uncertain(item);
    else if (failure) this.unsaved(item, failure);
    else this.outcome(item, written);
    this.bar();
  }

  /** The live bar, from the last snapshot. */
  bar(): void {
    const last = this.state.counts();
    if (!last) return;
    const { term } = this;
    const { total, succeeded, failed, running, percentage } = last;
    term.status(`${bar(percentage)} ${String(percentage).padStart(3)}% ${succeeded + failed}/${total}  ${term.paint(`✔ ${succeeded}`, 'green', 'err')}  ${term.paint(`✘ ${failed}`, failed ? 'red' : 'dim', 'err')}  ▶ ${running} running`);
  }

  /** The summary line (and `--json` summary), and what to do about uncertain jobs. */
  summary(): void {
    const { term, journal } = this;
    term.clearStatus();
    const last = this.state.counts();
    if (!last) return;
    const { total, succeeded, failed, uncertain } = last;
    const seconds = ((Date.now() - this.state.startedAt) / 1000).toFixed(1);
    term.event({ type: 'summary', total, succeeded, failed, running: last.running, queued: last.queued, ...(journal ? { uncertain, ...journalJson(journal, last) } : {}) });
    if (!term.json) {
      const left = last.running + last.queued ? `, ${last.running} running, ${last.queued} not started` : '';
      term.note(`${total} job${total === 1 ? '' : 's'} in ${seconds} s: ${succeeded} succeeded, ${failed} failed${uncertain ? `, ${uncertain} uncertain` : ''}${left}${journal ? journalSummary(last.items) : ''}`);
    }
    if (journal && uncertain > 0) uncertainAdvice(term, journal, uncertain);
  }

  /**
   * Jobs whose start was sent and whose answer never came (exit 4): each named, and how to look
   * for its execution before starting it again (a resumed journaled batch looks by itself).
   */
  startsLost(items: readonly BatchItem[], flowOf: (key: string) => string | undefined): void {
    if (items.length === 0) return;
    const { term, journal } = this;
    const one = items.length === 1;
    term.note(`${items.length} start${one ? ' was' : 's were'} sent and ${one ? 'its' : 'their'} outcome is unknown: an execution may exist for ${one ? 'it' : 'each'}:`);
    // What happened to each start: an answer that came is said as such, only a lost one "never came".
    for (const item of items) term.note(`  ${item.key}  (flow ${flowOf(item.key) ?? '?'}: ${sentStartOutcome(item.error)})`);
    if (journal) term.note(`Run the same command again: the resumed batch looks for ${one ? 'it' : 'them'} before starting anything.`);
    else {
      term.note(`Before starting again, look for ${one ? 'it' : 'them'}:`);
      for (const flowId of new Set(items.map((item) => flowOf(item.key) ?? '<flowId>'))) term.note(`  smart-flows list --flow ${flowId}    (then: smart-flows watch <executionId>)`);
    }
  }

  /** `--fail-fast` stopped the batch at `key`. */
  failedFast(key: string): void {
    this.term.note(`Stopped at the first failure (--fail-fast): job ${key}`);
  }

  /** The batch could not run (or stopped) for `error`; `message` replaces the error's own. */
  batchError(error: unknown, message: string | undefined): void {
    this.term.event({ type: 'error', ...errorJson(error), ...(message ? { message } : {}) });
    this.term.note(`smart-flows batch: ${message ?? describe(error)}`);
  }

  /**
   * After the batch stopped on an error: the executions it started that go on, each named, and
   * those whose start was answered but that no job was seen to hold (`unclaimed`: by id only).
   */
  goingOn(running: readonly BatchItem[], unclaimed: readonly string[] = []): void {
    const count = running.length + unclaimed.length;
    if (count === 0) return;
    this.term.note(`${count} started job${count === 1 ? '' : 's'} going on on the server (follow one with: smart-flows watch <executionId>):`);
    for (const { key, executionId } of running) this.term.note(`  ${key}  ${executionId}`);
    for (const id of unclaimed) this.term.note(`  ?  ${id}  (its start was answered as the batch stopped${this.journal ? '; not in the journal' : ''})`);
  }

  /**
   * Ctrl-C: each execution left running (with `--cancel-on-exit`, what came of its cancel call:
   * only a call the server accepted is reported canceled), each start whose answer was not seen,
   * and how to resume.
   */
  interrupted(running: readonly RunningAtStop[], unanswered: readonly BatchItem[], unsaved: readonly BatchItem[] = [], dirOf: (key: string) => string | undefined = () => undefined): void {
    const { term, journal } = this;
    term.clearStatus();
    const canceled = running.filter((r) => r.cancel?.state === 'canceled').length;
    const cancelOnExit = running.some((r) => r.cancel !== undefined);
    term.event({
      type: 'interrupted',
      canceled: cancelOnExit && canceled === running.length,
      running: running.map(({ item, cancel }) => ({ key: item.key, executionId: item.executionId, ...(cancel ? { canceled: cancel.state === 'canceled', cancel: cancelText(cancel) } : {}) })),
      ...(unanswered.length > 0 ? { startsUnanswered: unanswered.map((item) => item.key) } : {}),
      ...(unsaved.length > 0 ? { documentsNotSaved: unsaved.map((item) => ({ key: item.key, executionId: item.executionId })) } : {}),
      ...(journal ? { journal: journal.path } : {}),
    });
    const jobs = `${running.length} running job${running.length === 1 ? '' : 's'}`;
    if (!cancelOnExit) term.note(`Interrupted: ${jobs} going on on the server (follow one with: smart-flows watch <executionId>)`);
    else if (canceled === running.length) term.note(`Interrupted: ${jobs} canceled`);
    else term.note(`Interrupted: ${jobs}, ${canceled} canceled, ${running.length - canceled} not canceled (going on on the server; cancel with: smart-flows cancel <executionId>)`);
    for (const { item, cancel } of running) term.note(`  ${item.key}  ${item.executionId}${cancel && cancel.state !== 'canceled' ? `  not canceled: ${cancelText(cancel)}` : ''}`);
    if (unanswered.length > 0) {
      term.note(`${unanswered.length} start${unanswered.length === 1 ? '' : 's'} sent, no answer seen: an execution may exist for ${unanswered.length === 1 ? 'it' : 'each'}${journal ? ' (the resumed batch looks for it)' : ' (look with: smart-flows list --status Running)'}:`);
      for (const item of unanswered) term.note(`  ${item.key}  (start sent, no answer seen)`);
    }
    if (unsaved.length > 0) {
      term.note(`${unsaved.length} job${unsaved.length === 1 ? '' : 's'} ended on the server, documents not saved (${journal ? 'the resumed batch saves them' : 'get them with the command shown'}):`);
      for (const item of unsaved) {
        const dir = dirOf(item.key);
        const get = !journal && dir && item.executionId ? `: smart-flows watch ${item.executionId} --out ${JSON.stringify(dir)}` : '';
        term.note(`  ${item.key}  ${item.executionId ?? '-'}  ended ${item.progress?.status ?? item.state}, documents not saved${get}`);
      }
    }
    if (journal) term.note(`Run the same command again to resume the batch from ${journal.path}.`);
  }

  /**
   * A second Ctrl-C: the command exits at once, without waiting for cancels or the journal; what
   * goes on on the server is named first (said synchronously, on stderr).
   */
  stoppedAtOnce(running: readonly BatchItem[], unanswered: readonly BatchItem[], unsaved: readonly BatchItem[]): void {
    const { term } = this;
    term.clearStatus();
    term.note(`Stopped at once: ${running.length} running job${running.length === 1 ? '' : 's'} may go on on the server (not known to be canceled; follow one with: smart-flows watch <executionId>):`);
    for (const item of running) term.note(`  ${item.key}  ${item.executionId}`);
    for (const item of unanswered) term.note(`  ${item.key}  (start sent, no answer seen: an execution may exist)`);
    for (const item of unsaved) term.note(`  ${item.key}  ${item.executionId ?? '-'}  ended ${item.progress?.status ?? item.state}, documents not saved`);
    if (this.journal) term.note(`Run the same command again to resume the batch from ${this.journal.path}.`);
  }

  private uncertain(item: BatchItem): void {
    const { term } = this;
    const { reason = '', candidateIds = [] } = item.uncertainty ?? {};
    term.result(`${term.paint('Uncertain'.padEnd(11), 'yellow')} ${item.key}  -  ${reason}`);
    if (candidateIds.length > 0) term.result(`  may be one of: ${candidateIds.join(', ')}`);
    term.event({ type: 'job', key: item.key, state: 'uncertain', reason, candidateIds });
  }

  private unsaved(item: BatchItem, failure: Error): void {
    const { term } = this;
    term.result(`${term.paint('Failed'.padEnd(11), 'red')} ${item.key}  ${item.executionId ?? '-'}  ${failure.message}`);
    const status = item.progress?.status ?? item.outcome?.status;
    term.event({ type: 'job', key: item.key, state: 'failed', ...(status ? { status } : {}), ...(item.executionId ? { executionId: item.executionId } : {}), error: failure.name, message: failure.message });
  }

  private outcome(item: BatchItem, written: readonly WrittenDocument[]): void {
    const { term } = this;
    const ok = item.state === 'succeeded';
    const old = fromJournal(item);
    const status = old ? (item.outcome?.status ?? (ok ? 'Success' : (item.outcome?.error?.name ?? 'Failed'))) : ok ? (item.progress?.status ?? 'Success') : failureStatus(item.error);
    const timedOut = !old && !this.cancelOnExit && isSmartFlowsTimeoutError(item.error) && item.executionId !== undefined;
    const why = old ? (item.outcome?.error?.message ?? '') : `${describe(item.error)}${timedOut ? `; follow it later with: smart-flows watch ${item.executionId}` : ''}`;
    const detail = old ? `${ok ? 'ended before' : why} (from the journal)` : ok ? (item.progress?.message ?? '') : why;
    const colour = !ok ? 'red' : status === 'Warning' ? 'yellow' : 'green';
    term.result(`${term.paint(status.padEnd(11), colour)} ${item.key}  ${item.executionId ?? '-'}  ${detail}`.trimEnd());
    for (const doc of written) term.result(writtenLine(doc, `${doc.bytes} bytes`));
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
  }
}
