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
  /** The item's id (a GUID for flows, documents and executions). */
  id: string;
  /** A name fit to show a person. */
  displayName?: string;
  /** What the item is, e.g. `'document'` or `'flow'`. */
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
  /** The data item the execution works on now, when the server says. */
  currentData?: ItemReference;
  /** Fields the server sent beyond these are kept. */
  [key: string]: unknown;
}

/** The full execution (`GET …/executions/{id}`). */
export interface FlowExecution {
  /** The execution id. */
  id: string;
  /** The status, normalized (see {@link normalizeStatus}). */
  status: FlowStatus;
  /** The status as the server spelled it. */
  rawStatus: string;
  /** When the execution was created (ISO 8601, as the server wrote it). */
  createdAt?: string;
  /** Who started it (`{ id, displayName }` on most servers). */
  createdBy?: unknown;
  /** When the execution last changed (ISO 8601). */
  modifiedAt?: string;
  /** Who changed it last. */
  modifiedBy?: unknown;
  /** The flow that ran. */
  flow?: ItemReference;
  /** What the execution holds: its input, output, stages and report. */
  state?: {
    /** The input the execution started with (the XML it was given). */
    inputData?: unknown;
    /** What the flow produced; document references sit inside. */
    output?: unknown;
    /** The stages run so far. */
    stages?: unknown[];
    /** The server's report of the run (warnings, errors). */
    report?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What `run` and `watch` emit. */
export type ExecutionEvent =
  | {
      /** A change of status, percentage or message (and the start answer). */
      type: 'progress';
      /** The execution this event is about. */
      executionId: string;
      /** The progress as the server answered it. */
      progress: FlowProgress;
    }
  | {
      /** The end: Success or Warning; the stream completes after it. */
      type: 'output';
      /** The execution this event is about. */
      executionId: string;
      /** The last progress (its status is Success or Warning). */
      progress: FlowProgress;
      /** The full execution, fetched once at the end. */
      execution: FlowExecution;
      /** The downloaded documents, with `{ downloadDocuments: true }`. */
      documents?: DownloadedDocument[];
    };

/** A document's content, as `downloadDocument` resolves it: `data` is a `Uint8Array` unless asked `as: 'blob' | 'stream'`. */
export interface DownloadedDocument<Data = Uint8Array> {
  /** The document's id. */
  documentId: string;
  /**
   * A name safe to write under as is: one path segment (no directory part, never `.` or `..`,
   * no control or bidi characters, no Windows device name, at most 255 bytes in UTF-8), made by
   * `safeFileName` from Content-Disposition, else the reference's or the metadata's
   * `displayName`, else the document id.
   */
  fileName: string;
  /**
   * The name as the server gave it (Content-Disposition's, else the `displayName`), uncleaned:
   * to show or log, never to name a file with (it may hold `../`, an absolute path, control
   * characters). Absent when the server gave no name (`fileName` is then the id).
   */
  serverFileName?: string;
  /** The answer's Content-Type (e.g. `application/pdf`). */
  contentType: string;
  /** The content: bytes, or a `Blob` or `ReadableStream` when asked. */
  data: Data;
}
