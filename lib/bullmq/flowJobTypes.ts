import type { FlowInput, FlowStatus } from 'smart-flows-rx';

/**
 * A BullMQ job's data for {@link flowProcessor}: what to run, and what the processor records
 * about it (`startingAt`, `executionId`), so a job BullMQ hands out again is never started twice.
 */
export interface FlowJobData {
  /** The flow's GUID. */
  flowId: string;
  /** The flow's input: an XML string, or a plain object turned into XML. */
  input?: FlowInput;
  /** Your name for the job (an invoice number…), used in messages; the job's id otherwise. */
  key?: string;
  /** Written by the processor (ISO 8601) just before the start request is sent: a start may have reached the server since. */
  startingAt?: string;
  /** Written by the processor as soon as the server answered the start (or reconciliation found the execution). */
  executionId?: string;
  /** Written with `executionId` when reconciliation found it: the start's answer was lost. */
  adopted?: true;
  /** Written with `startingAt` when a tracer gave the job's run a W3C trace context (see `smart-flows-rx/otel`): a job handed out again links to it. */
  traceparent?: string;
}

/** What the processor reports with `job.updateProgress` while the execution runs. */
export interface FlowJobProgress {
  /** The execution. */
  executionId: string;
  /** 0–100, the share of the flow's steps done. */
  percentage: number;
  /** Its status. */
  status: FlowStatus;
  /** What it is doing now, when the server says. */
  message?: string;
}

/** A document an execution produced, as a job's result lists it. */
export interface FlowJobDocument {
  /** The document's id, for `downloadDocument`. */
  id: string;
  /** Its name, when the server gave one. */
  displayName?: string;
}

/**
 * A job's return value (BullMQ keeps it as `job.returnvalue`): plain JSON, no bodies, no secrets.
 */
export interface FlowJobResult {
  /** The execution that ran the job. */
  executionId: string;
  /** Its final status: `Success` or `Warning`. */
  status: FlowStatus;
  /** The documents it produced (empty when none). */
  documents: FlowJobDocument[];
  /**
   * How a job BullMQ handed out again went on: `watched` (its execution was recorded),
   * `adopted` (found by reconciliation), `restarted` (the server certainly had none); absent
   * for a job run in one go.
   */
  resumedAs?: 'watched' | 'adopted' | 'restarted';
}

/**
 * What the processor uses of a BullMQ `Job`; a BullMQ 5 or 6 `Job` has it all, and so can a
 * fake in tests.
 */
export interface FlowJob {
  /** The job's id. */
  readonly id?: string;
  /** The job's data; `updateData` replaces it. */
  readonly data: FlowJobData;
  /** Replaces the job's data (in Redis, before the promise resolves). */
  updateData(data: FlowJobData): Promise<unknown>;
  /** Reports the job's progress. */
  updateProgress(progress: FlowJobProgress): Promise<unknown>;
}

/** A BullMQ processor: `new Worker(queueName, flowProcessor(client), options)`. */
export type FlowProcessor = (job: FlowJob, token?: string, signal?: AbortSignal) => Promise<FlowJobResult>;
