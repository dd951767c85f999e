import { type ExecutionEvent, findDocuments } from 'smart-flows-rx';
import type { FlowJobDocument, FlowJobProgress, FlowJobResult } from './flowJobTypes';

/** The client's redaction of its secrets (`client.redactText`): the server's text goes through it before BullMQ stores it in Redis. */
export type RedactText = (text: string) => string;

/** The job's result from its output event: status, execution and document references (their names redacted), as plain JSON. */
export function jobResult(event: Extract<ExecutionEvent, { type: 'output' }>, resumedAs: FlowJobResult['resumedAs'], redact: RedactText): FlowJobResult {
  const documents = new Map<string, FlowJobDocument>();
  for (const d of [...findDocuments(event.progress), ...findDocuments(event.execution)]) {
    if (!documents.has(d.id)) documents.set(d.id, d.displayName ? { id: d.id, displayName: redact(d.displayName) } : { id: d.id });
  }
  return { executionId: event.executionId, status: event.progress.status, documents: [...documents.values()], ...(resumedAs ? { resumedAs } : {}) };
}

/** What `job.updateProgress` gets from a progress event (its message redacted). */
export function jobProgress(event: ExecutionEvent, redact: RedactText): FlowJobProgress {
  const { percentage, status, message } = event.progress;
  return { executionId: event.executionId, percentage, status, ...(message ? { message: redact(message) } : {}) };
}
