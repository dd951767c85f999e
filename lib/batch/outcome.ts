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

/** Replaces secrets in a text (the client's redaction of its own); the text as is when it holds none. */
export type RedactText = (text: string) => string;

const keep: RedactText = (text) => text;

/**
 * The documents found in `sources`, each once, their id and name passed through `redact`: a
 * server may echo a secret into a document's name (or id), and what is kept here is written to
 * the journal, where a secret must never be.
 */
const documentsOf = (redact: RedactText, ...sources: unknown[]): JournalDocument[] => {
  const found = new Map<string, JournalDocument>();
  for (const source of sources) {
    for (const d of source === undefined ? [] : findDocuments(source)) {
      if (found.has(d.id)) continue;
      const id = redact(d.id);
      found.set(d.id, d.displayName === undefined ? { id } : { id, displayName: redact(d.displayName) });
    }
  }
  return [...found.values()];
};

/**
 * The outcome of a job whose run gave its output event (Success or Warning).
 * @param redact - the client's redaction of its secrets, applied to what the server named
 */
export function succeededOutcome(event: Extract<ExecutionEvent, { type: 'output' }>, redact: RedactText = keep): BatchOutcome {
  return { state: 'succeeded', status: event.progress.status, documents: documentsOf(redact, event.progress, event.execution) };
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

/**
 * The outcome of a job whose run errored: the error's name and {@link ownWords}, never its message, body or cause.
 * @param redact - the client's redaction of its secrets, applied to what the server named
 */
export function failedOutcome(error: unknown, redact: RedactText = keep): BatchOutcome {
  const summary: NonNullable<BatchOutcome['error']> = { name: nameOf(error), message: ownWords(error) };
  if (isSmartFlowsHttpError(error)) summary.httpStatus = error.status;
  if (isFlowExecutionError(error)) {
    return { state: 'failed', status: error.status, documents: documentsOf(redact, error.progress, error.execution), error: summary };
  }
  return { state: 'failed', documents: [], error: summary };
}

// The rule deciding which failures are final has its own file (the batch, BullMQ and the CLI share it).
export { isFinalFailure } from './finalFailure';
