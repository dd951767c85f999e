import type { FlowStatus } from '../api/types';
import type { TrackerDebugEvent } from '../tracker/trackerOptions';

/**
 * The names of the library's `diagnostics_channel` channels (Node builds; the browser build
 * publishes nothing). `run` and `request` are `TracingChannel`s (subscribe with
 * `diagnostics_channel.tracingChannel(name)`: `start`, `end`, `asyncStart`, `asyncEnd`,
 * `error`); the others are plain channels. Nothing is built for a channel nobody listens to.
 */
export const DIAGNOSTICS_CHANNELS = {
  /** `TracingChannel`: one context per `run`/`watch` subscription, batch job and BullMQ job ({@link RunTraceContext}). */
  run: 'smart-flows-rx:run',
  /** `TracingChannel`: one context per HTTP attempt ({@link RequestTraceContext}). */
  request: 'smart-flows-rx:request',
  /** A request is sent again after a failure ({@link RetryMessage}). */
  retry: 'smart-flows-rx:retry',
  /** An event a `run`/`watch` subscriber receives ({@link ProgressMessage}). */
  progress: 'smart-flows-rx:progress',
  /** The listing tracker's cycles and fallbacks ({@link TrackerMessage}). */
  tracker: 'smart-flows-rx:tracker',
  /** A batch journal's records and resume counts ({@link JournalMessage}). */
  journal: 'smart-flows-rx:journal',
} as const;

/**
 * The context of one run on the `smart-flows-rx:run` tracing channel: from subscription
 * (`start`, with the subscriber's `AsyncLocalStorage` stores entered for the whole run: every
 * request of the run sees them) to the end (`asyncStart`/`asyncEnd`, after `error` for a
 * failure). Never holds the input, a credential or a document (a `FlowExecutionError` carries
 * the failed execution without its `state.inputData`).
 */
export interface RunTraceContext {
  /** What started it: `run`, `watch`, a job of `runBatch` (`batch`) or a BullMQ job (`job`). */
  kind: 'run' | 'watch' | 'batch' | 'job';
  /** The flow, when known (not for `watch`). */
  flowId?: string;
  /** The execution, filled in as soon as it is known. */
  executionId?: string;
  /** How it is followed. */
  tracking: 'polling' | 'listing';
  /** A batch job's key (`batch`, `job`). */
  key?: string;
  /** The last status seen; at the end, the final one when the execution ended. */
  status?: FlowStatus;
  /** At the end: the error the stream ended with. */
  error?: unknown;
  /** At the end: true when the subscriber left before the end (unsubscribed). */
  unsubscribed?: boolean;
  /**
   * A W3C `traceparent` a tracer may set in its `start` handler: a journaled batch stores it in
   * the job's `starting` record, the BullMQ processor in the job's data, so a resumed run can
   * link to the span of its start.
   */
  traceparent?: string;
  /** For a resumed job (journal resume, BullMQ job handed out again): the `traceparent` stored at its start. */
  resumedFrom?: string;
}

/** The context of one HTTP attempt on the `smart-flows-rx:request` tracing channel. */
export interface RequestTraceContext {
  /** The HTTP method. */
  method: string;
  /** The path template below `/api/v1`, ids as `{id}` (e.g. `/flows/executions/{id}/progress`). */
  route: string;
  /** 1 for the first attempt, 2 for the first retry… */
  attempt: number;
  /** The hold a long poll asked of the server, in seconds (progress requests). */
  holdSeconds?: number;
  /** At the end: the HTTP status, when an answer came. */
  status?: number;
  /** At the end of a failure: the error's class name (`SmartFlowsHttpError`, `SmartFlowsNetworkError`…). */
  errorType?: string;
  /** At the end of a failure: the error. */
  error?: unknown;
  /** At the end: true when the attempt was abandoned (unsubscribed) before its answer. */
  aborted?: boolean;
}

/** A request is sent again after a failure (`smart-flows-rx:retry`). */
export interface RetryMessage {
  /** The HTTP method. */
  method: string;
  /** The path template, as on the request channel. */
  route: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** What the server's `Retry-After` asked, in ms (clamped to `retry.maxDelayMs`). */
  retryAfterMs?: number;
  /** The failure's class name. */
  errorType: string;
  /** The failure's HTTP status, if it was an answer. */
  status?: number;
}

/** An event a `run`/`watch` subscriber receives (`smart-flows-rx:progress`), one per subscriber. */
export interface ProgressMessage {
  /** `progress`, or `output` at the successful end. */
  type: 'progress' | 'output';
  /** The execution. */
  executionId: string;
  /** Its status. */
  status: FlowStatus;
  /** 0–100. */
  percentage: number;
}

/** What the listing tracker tells (`smart-flows-rx:tracker`): the same events as its `onDebug`. */
export type TrackerMessage = TrackerDebugEvent;

/** A batch journal's news (`smart-flows-rx:journal`). */
export type JournalMessage =
  | {
      /** A record was made durable. */
      type: 'record';
      /** The record's kind. */
      record: 'planned' | 'starting' | 'started' | 'ended' | 'uncertain' | 'written';
      /** The job's key (every record but `planned`). */
      key?: string;
      /** The execution, when the record names one. */
      executionId?: string;
    }
  | {
      /** A journal was read and its jobs planned: what the resume found. */
      type: 'opened';
      /** Jobs that had started or ended before. */
      resumed: number;
      /** Jobs left `starting` whose execution reconciliation found. */
      adopted: number;
      /** Jobs left `starting` that are started again (the server certainly had none). */
      restarted: number;
      /** Jobs left `starting` that reconciliation could not decide. */
      uncertain: number;
    };
