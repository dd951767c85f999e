import { concatMap, firstValueFrom, from, map, type Observable, of, tap } from 'rxjs';
import { type ExecutionEvent, type FlowProgress, isFlowExecutionError, isSmartFlowsNetworkError, isSmartFlowsTimeoutError } from '../../index';
import type { CommandContext } from '../Command';
import type { Connection } from '../connect';
import { EXIT } from '../exitCodes';
import { describe, errorJson, exitCodeOf, failureStatus, sentStartOutcome, showing } from '../failures';
import { bar } from '../Terminal';
import { writeDocuments, type WrittenDocument, writtenLine } from '../writeDocuments';

/** A failure of a request for a document (its content or metadata): the URL names `/documents/`. */
function isDocumentRequest(error: unknown): boolean {
  const { url } = (error ?? {}) as { url?: unknown };
  return typeof url === 'string' && /\/documents\//.test(url);
}

/** Why a download failed, without "cannot reach the server" (it was reached: the execution ended). */
function downloadFailure(error: unknown): string {
  return isSmartFlowsNetworkError(error) ? error.message : describe(error);
}

/** How long a stopping command waits for its last requests (cancel calls) before it exits. */
export const DRAIN_MS = 5_000;

export interface FollowSettings {
  /** Where documents go (`--out`). */
  out: string | undefined;
  /** With `--cancel-on-exit`: the client cancels the execution when the command stops early. */
  cancelOnExit: boolean;
  /** The flow `run` started (absent for `watch`): a start without an answer may have created an execution of it. */
  flowId?: string;
}

type Shown = ExecutionEvent & { written?: WrittenDocument[] };

/**
 * Follows one execution (`run` or `watch`) to its end: a live bar on stderr, the outcome on
 * stdout (documents written to `--out`), `--json` events; resolves to the exit code.
 */
export function follow(context: CommandContext, connection: Connection, events$: Observable<ExecutionEvent>, settings: FollowSettings): Promise<number> {
  const { term, interrupts } = context;
  const startedAt = Date.now();
  let executionId: string | undefined;
  let lastStatus: string | undefined;

  const shown$: Observable<Shown> = events$.pipe(
    concatMap((event) =>
      event.type === 'output' && settings.out && event.documents
        ? from(writeDocuments(settings.out, event.documents, (text) => connection.client.redactText(text))).pipe(map((written) => ({ ...event, written })))
        : of(event),
    ),
  );

  const onProgress = (progress: FlowProgress) => {
    if (!executionId) term.note(`Execution ${progress.id} started`);
    executionId = progress.id;
    term.event({ type: 'progress', executionId: progress.id, status: progress.status, percentage: progress.percentage, message: progress.message });
    term.status(`${bar(progress.percentage)} ${String(progress.percentage).padStart(3)}% ${progress.status.padEnd(9)} ${progress.message ?? ''}`);
    // Without a live line, a log of the status changes (what a CI log wants).
    if (!term.live && !term.json && progress.status !== lastStatus) term.note(`  ${progress.status} ${progress.percentage}% ${progress.message ?? ''}`.trimEnd());
    lastStatus = progress.status;
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      term.clearStatus();
      resolve(code);
    };
    /** The command's last words when even reporting the failure failed. */
    const lastResort = (failure: unknown) => {
      term.clearStatus();
      term.note(`smart-flows: ${describe(failure)}`);
      finish(EXIT.failed);
    };

    const onError = async (error: unknown) => {
      term.clearStatus();
      const id = (error as { executionId?: string }).executionId ?? executionId;
      // The start answered (run), or the execution was seen (watch): something exists, so no
      // failure from here on says "nothing can have started" (exit 3, which a CI job may retry).
      const seen = executionId ?? connection.requests.starts().ids[0];
      const classified = exitCodeOf(error, settings.flowId !== undefined);
      const code = seen !== undefined && classified === EXIT.unreachable ? EXIT.failed : classified;
      // --timeout ended the stream, not the execution: --cancel-on-exit means cancel it too.
      let canceled = false;
      if (settings.cancelOnExit && id && isSmartFlowsTimeoutError(error)) {
        canceled = await firstValueFrom(connection.client.cancelExecution(id), { defaultValue: undefined }).then(
          () => (term.note(`Execution ${id} was canceled`), true),
          (cancelError: unknown) => (term.note(`smart-flows: could not cancel ${id}: ${describe(cancelError)}`), false),
        );
      }
      // The execution ended well and only its documents were late: say so, not "may still be running".
      if (id && isSmartFlowsTimeoutError(error) && settings.out && (lastStatus === 'Success' || lastStatus === 'Warning')) {
        const ms = (error as { timeoutMs?: number }).timeoutMs;
        const message = `execution ${id} ended ${lastStatus}; its documents did not come within ${ms ?? 'the'} ms (--timeout): get them with: smart-flows watch ${id} --out ${settings.out}`;
        term.event({ type: 'error', error: 'DocumentDownloadError', message, executionId: id, status: lastStatus });
        term.note(`smart-flows: ${message}`);
        return finish(EXIT.failed);
      }
      // The execution ended well and a document's download failed (network, decoding, an HTTP error): as batch says it.
      if (id && settings.out && (lastStatus === 'Success' || lastStatus === 'Warning') && isDocumentRequest(error)) {
        const reason = `could not download the document: ${downloadFailure(error)}`;
        term.event({ type: 'error', error: 'DocumentDownloadError', message: reason, executionId: id, status: lastStatus });
        term.result(`${term.paint(lastStatus, lastStatus === 'Warning' ? 'yellow' : 'green')}  ${id}  ${reason}`);
        term.note(`smart-flows: execution ${id} ended ${lastStatus}; its documents were not saved (${reason}): get them with: smart-flows watch ${id} --out ${settings.out}`);
        return finish(EXIT.failed);
      }
      term.event({ type: 'error', ...errorJson(error), ...(id ? { executionId: id } : {}), ...(code === EXIT.mayExist ? { executionMayExist: true } : {}) });
      if (id && (isFlowExecutionError(error) || isSmartFlowsTimeoutError(error))) term.result(`${term.paint(failureStatus(error), 'red')}  ${id}  ${describe(error)}`);
      else term.note(`smart-flows: ${describe(error)}`);
      // Lost on the way after the execution was seen: it exists and may go on (or have ended).
      if (seen && code === EXIT.failed && classified === EXIT.unreachable) term.note(`The execution exists on the server: follow it with: smart-flows watch ${seen}`);
      if (id && !canceled && isSmartFlowsTimeoutError(error)) term.note(`The execution goes on on the server: follow it later with: smart-flows watch ${id}`);
      if (code === EXIT.mayExist) {
        // An answer that came (a 503, a 429, one that could not be read) is said as such: only a lost answer "never came".
        const outcome = sentStartOutcome(error);
        term.note(`${outcome.charAt(0).toUpperCase()}${outcome.slice(1)}: an execution may exist all the same. Before starting again, look for it:`);
        term.note(`  smart-flows list --flow ${settings.flowId ?? '<flowId>'}    (then: smart-flows watch <executionId>)`);
      }
      finish(code);
    };

    const show = showing((event: Shown) => {
      if (event.type === 'progress') return onProgress(event.progress);
      executionId = event.executionId;
      const { progress, execution, written = [] } = event;
      term.clearStatus();
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      const colour = progress.status === 'Warning' ? 'yellow' : 'green';
      term.result(`${term.paint(progress.status, colour)}  ${event.executionId}  ${execution.flow?.displayName ?? ''}${progress.message ? ` — ${progress.message}` : ''} (${seconds} s)`);
      for (const doc of written) term.result(writtenLine(doc, `${doc.bytes} bytes, ${doc.contentType}`));
      term.event({ type: 'output', executionId: event.executionId, status: progress.status, message: progress.message, execution, documents: written });
    });
    // Shown inside the pipe: whatever printing throws ends the stream and reaches the exit code.
    const subscription = shown$.pipe(tap(show)).subscribe({
      error: (error: unknown) => void onError(error).catch((failure: unknown) => lastResort(failure)),
      complete: () => finish(EXIT.ok),
    });

    interrupts.onInterrupt(async () => {
      // A start already sent: its answer names the execution (to report, or to cancel).
      if (!executionId) await connection.requests.startsAnswered(DRAIN_MS);
      subscription.unsubscribe();
      // The client sent the cancel call on unsubscribing (with --cancel-on-exit): let it arrive.
      await connection.requests.drain(DRAIN_MS);
      term.clearStatus();
      const starts = connection.requests.starts();
      executionId ??= starts.ids[0];
      if (executionId && settings.out && (lastStatus === 'Success' || lastStatus === 'Warning')) {
        // It ended well; only its documents were on their way: they are what is missing, not the execution.
        term.event({ type: 'interrupted', executionId, status: lastStatus, documentsNotSaved: true });
        term.note(`Interrupted: execution ${executionId} ended ${lastStatus}; its documents were not saved: get them with: smart-flows watch ${executionId} --out ${settings.out}`);
      } else if (executionId) {
        // Only a cancel call the server accepted is reported as a cancel.
        const cancel = settings.cancelOnExit ? connection.requests.cancelOutcome(executionId) : undefined;
        const canceled = cancel?.state === 'canceled';
        const why = !cancel ? 'no cancel call was sent' : cancel.state === 'refused' ? `the server refused it (HTTP ${cancel.status})` : cancel.state === 'unanswered' ? cancel.reason : '';
        term.event({ type: 'interrupted', executionId, canceled, ...(settings.cancelOnExit && !canceled ? { cancel: why } : {}) });
        term.note(
          canceled
            ? `Interrupted: execution ${executionId} was canceled`
            : `Interrupted: execution ${executionId} goes on on the server${settings.cancelOnExit ? ` (not canceled: ${why})` : ''}; follow it with: smart-flows watch ${executionId}`,
        );
      } else if (starts.sent > 0) {
        // The start was sent and its answer never came: an execution may exist (as exit 4 says).
        term.event({ type: 'interrupted', executionMayExist: true });
        term.note('Interrupted: the start was sent and its answer never came: an execution may exist. Before starting again, look for it:');
        term.note(`  smart-flows list --flow ${settings.flowId ?? '<flowId>'}    (then: smart-flows watch <executionId>)`);
      } else {
        term.event({ type: 'interrupted' });
        term.note('Interrupted');
      }
      finish(EXIT.interrupted);
    }, () => {
      // A second Ctrl-C exits at once: the execution is still named.
      const id = executionId ?? connection.requests.starts().ids[0];
      term.clearStatus();
      if (id) term.note(`Stopped at once: execution ${id} may go on on the server (not known to be canceled); follow it with: smart-flows watch ${id}`);
      else if (connection.requests.starts().sent > 0) term.note(`Stopped at once: the start was sent, no answer seen: an execution may exist (look with: smart-flows list --flow ${settings.flowId ?? '<flowId>'})`);
    });
  });
}
