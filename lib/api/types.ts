/** Every status a progress can have, normalized from the server's spelling. */
export type FlowStatus =
  | 'Queued'
  | 'Running'
  | 'Waiting'
  | 'UserInput'
  | 'SelectFlow'
  | 'Success'
  | 'Warning'
  | 'Error'
  | 'Canceled'
  | 'Interrupted'
  | 'Unknown';

/** A `{ id, displayName, type }` reference, as the server writes them in `model` and elsewhere. */
export interface ItemReference {
  id: string;
  displayName?: string;
  type?: string;
  [key: string]: unknown;
}

/** The progress object of one execution (`GET …/executions/{id}/progress`). */
export interface FlowProgress {
  /** The execution id. */
  id: string;
  /** Share of the flow's steps done, clamped to 0–100. */
  percentage: number;
  /** What the execution is doing now ('' when the server sent none). */
  message: string;
  /** The status, normalized (see {@link normalizeStatus}). */
  status: FlowStatus;
  /** The status as the server spelled it. */
  rawStatus: string;
  /** JSON schema of the form the flow waits for (UserInput). */
  schema?: unknown;
  /** Current values of that form; after the end, holds the document references. */
  model?: unknown;
  /** Layout of that form (xd-schema-form). */
  form?: unknown;
  currentData?: ItemReference;
  /** Fields the server sent beyond these are kept. */
  [key: string]: unknown;
}

/** The full execution (`GET …/executions/{id}`). */
export interface FlowExecution {
  id: string;
  status: FlowStatus;
  rawStatus: string;
  createdAt?: string;
  createdBy?: unknown;
  modifiedAt?: string;
  modifiedBy?: unknown;
  flow?: ItemReference;
  state?: {
    inputData?: unknown;
    output?: unknown;
    stages?: unknown[];
    report?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What `run` and `watch` emit. */
export type ExecutionEvent =
  | { type: 'progress'; executionId: string; progress: FlowProgress }
  | {
      type: 'output';
      executionId: string;
      progress: FlowProgress;
      execution: FlowExecution;
      /** The downloaded documents, with `{ downloadDocuments: true }`. */
      documents?: DownloadedDocument[];
    };

/** A document's content, as `downloadDocument` resolves it: `data` is a `Uint8Array` unless asked `as: 'blob' | 'stream'`. */
export interface DownloadedDocument<Data = Uint8Array> {
  documentId: string;
  fileName: string;
  contentType: string;
  data: Data;
}
