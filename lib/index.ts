/**
 * `smart-flows-rx`: the client that runs Smart Flows executions as RxJS Observables
 * ({@link SmartFlowsClient}), its options, data types, status helpers and errors.
 * Browser- and Node-safe.
 *
 * @module smart-flows-rx
 */

// The client
export { SmartFlowsClient } from './client';
export type { RunOptions, WatchOptions, StartOptions } from './client';
export type { FollowOptions } from './execution/followExecution';
export type { ListExecutionsOptions, ExecutionPage } from './api/listings';
export type { LoginCredentials } from './api/login';

// Batches and browser manners
export type { BatchOptions } from './client';
export type { BatchJob, BatchItem, BatchItemState, BatchSnapshot, BatchControlOptions } from './execution/batchTypes';
export type { BatchResumption, BatchJournalSummary } from './execution/batchTypes';
export { SmartFlowsBatchError, isSmartFlowsBatchError } from './execution/SmartFlowsBatchError';
export { memoryJournal } from './batch/memoryJournal';
export type { MemoryJournal } from './batch/memoryJournal';
export type { BatchJournal, JournalRecord, JournalContents, JournalPlannedJob, BatchOutcome, JournalDocument, JournalPlannedRecord, JournalStartingRecord, JournalStartedRecord, JournalEndedRecord, JournalUncertainRecord, JournalWrittenRecord } from './batch/journalTypes';
// From the error's own module: the journal's code (appendRecord) stays in the journal's lazy chunk.
export { SmartFlowsJournalError, isSmartFlowsJournalError } from './batch/journalError';
// What a job queue built on the client needs to behave like a journaled batch (the BullMQ entry uses these).
export { isFinalFailure } from './batch/finalFailure';
export { reconcile } from './batch/lazyReconcile';
export { traceJob } from './diagnostics/traceRun';
export type { JobOutcome, RunFields } from './diagnostics/traceRun';
export type { ReconcileDeps, Reconciled } from './batch/reconcile';
export { pageActivity } from './execution/pageVisibility';
export type { PageEnvironment, EventSourceLike } from './execution/pageVisibility';

// Options
export { DEFAULTS } from './options';
export type { SmartFlowsClientOptions, PollingOptions, RetryOptions, FetchLike, TokenSource, ClientOptionsView } from './options';
export type { TrackerOptions, TrackerDebugEvent, TrackerFallbackReason } from './tracker/trackerOptions';

// Diagnostics channels (Node builds; see docs/observability.md)
export { DIAGNOSTICS_CHANNELS } from './diagnostics/types';
export type { RunTraceContext, RequestTraceContext, RetryMessage, ProgressMessage, TrackerMessage, JournalMessage } from './diagnostics/types';

// Data
export type { FlowStatus, FlowProgress, FlowExecution, ExecutionEvent, ItemReference, DownloadedDocument } from './api/types';
export type { FlowInput, XmlConverter } from './api/prepareInput';
export { normalizeStatus, isTerminalStatus, isSuccessStatus, isFailureStatus, needsUserAction, isIdleStatus } from './api/status';
export { isGuid } from './api/ids';

// Documents and forms
export { findDocuments } from './documents/findDocuments';
export type { DocumentReference } from './documents/findDocuments';
export type { DocumentDataTypes, DocumentMetadata, DownloadAs, DownloadOptions } from './api/documents';
export { userInputFields } from './api/userInputFields';
export type { UserInputField } from './api/userInputFields';

// Errors
export {
  SmartFlowsError,
  SmartFlowsInputError,
  SmartFlowsAuthError,
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
  FlowExecutionError,
  isSmartFlowsError,
  isSmartFlowsInputError,
  isSmartFlowsAuthError,
  isSmartFlowsHttpError,
  isSmartFlowsNetworkError,
  isSmartFlowsResponseError,
  isSmartFlowsTimeoutError,
  isFlowExecutionError,
} from './errors';
export type { SmartFlowsErrorOptions } from './errors';
