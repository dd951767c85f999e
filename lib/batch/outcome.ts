import type { ExecutionEvent } from '../api/types';
import { findDocuments } from '../documents/findDocuments';
import { isFlowExecutionError, isSmartFlowsHttpError } from '../errors';
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

/** The outcome of a job whose run errored: the error's name and message, never its body or cause. */
export function failedOutcome(error: unknown): BatchOutcome {
  const e = error instanceof Error ? error : new Error(String(error));
  const summary: NonNullable<BatchOutcome['error']> = { name: e.name, message: e.message.slice(0, 500) };
  if (isSmartFlowsHttpError(error)) summary.httpStatus = error.status;
  if (isFlowExecutionError(error)) {
    return { state: 'failed', status: error.status, documents: documentsOf(error.progress, error.execution), error: summary };
  }
  return { state: 'failed', documents: [], error: summary };
}

// The rule deciding which failures are final has its own file (the batch, BullMQ and the CLI share it).
export { isFinalFailure } from './finalFailure';
