import type { ExecutionEvent } from '../api/types';
import { findDocuments } from '../documents/findDocuments';
import {
  isFlowExecutionError,
  isSmartFlowsAuthError,
  isSmartFlowsHttpError,
  isSmartFlowsInputError,
  isSmartFlowsNetworkError,
  isSmartFlowsResponseError,
  isSmartFlowsTimeoutError,
} from '../errors';
import type { BatchOutcome, JournalDocument } from './journalTypes';

const documentsOf = (...sources: unknown[]): JournalDocument[] => {
  const found = new Map<string, JournalDocument>();
  for (const source of sources) {
    for (const d of source === undefined ? [] : findDocuments(source)) {
      if (!found.has(d.id)) found.set(d.id, d.displayName === undefined ? { id: d.id } : { id: d.id, displayName: d.displayName });
    }
  }
  return [...found.values()];
};

/** The outcome of a job whose run gave its output event (Success or Warning). */
export function succeededOutcome(event: Extract<ExecutionEvent, { type: 'output' }>): BatchOutcome {
  return { state: 'succeeded', status: event.progress.status, documents: documentsOf(event.progress, event.execution) };
}

/** An error's class name as kept: a word of at most 100 characters. */
const nameOf = (error: unknown): string => {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'Error';
};

/**
 * What went wrong, in the library's own words only: the error's kind and the numbers it
 * carries (status, HTTP status, method, time limit), never its message, which may hold server
 * text (a flow's message, an answer's body) and so a secret the server echoed. Only a
 * `SmartFlowsInputError` keeps its message: the library's check of the caller's own input wrote it.
 * For what is written where a secret must never be (the journal, its reasons).
 */
export function ownWords(error: unknown): string {
  if (isFlowExecutionError(error)) return `The flow ended with status ${error.status}`;
  if (isSmartFlowsHttpError(error)) return `The server answered ${String(error.method).slice(0, 10)} with HTTP ${Number(error.status)}`;
  if (isSmartFlowsNetworkError(error)) return `The server could not be reached (${String(error.method).slice(0, 10)})`;
  if (isSmartFlowsTimeoutError(error)) return `Timed out after ${Number(error.timeoutMs)} ms`;
  if (isSmartFlowsResponseError(error)) return "The server's answer could not be read";
  if (isSmartFlowsAuthError(error)) return 'The credentials could not be obtained';
  if (isSmartFlowsInputError(error)) return String(error.message).slice(0, 500);
  return `An error of type ${nameOf(error)}`;
}

/** The outcome of a job whose run errored: the error's name and {@link ownWords}, never its message, body or cause. */
export function failedOutcome(error: unknown): BatchOutcome {
  const summary: NonNullable<BatchOutcome['error']> = { name: nameOf(error), message: ownWords(error) };
  if (isSmartFlowsHttpError(error)) summary.httpStatus = error.status;
  if (isFlowExecutionError(error)) {
    return { state: 'failed', status: error.status, documents: documentsOf(error.progress, error.execution), error: summary };
  }
  return { state: 'failed', documents: [], error: summary };
}

/**
 * Whether a job's error is its final outcome, to be journaled as ended: the flow itself ended
 * badly, or the server refused the start (no execution can exist). A network failure, a
 * timeout or a 5xx is not: the execution may run on, so a resumed batch follows or reconciles it.
 */
export function isFinalFailure(error: unknown, executionId: string | undefined): boolean {
  if (isFlowExecutionError(error)) return true;
  if (executionId !== undefined || (error as { executionMayExist?: boolean } | null)?.executionMayExist) return false;
  if (isSmartFlowsInputError(error)) return true;
  return isSmartFlowsHttpError(error) && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
