import type { Injector } from '@angular/core';
import type { FlowInput, RunOptions, WatchOptions } from 'smart-flows-rx';

/** Starts a flow and follows it (`client.run`): the flow, its input and the options of `run`. */
export interface RunRequest extends RunOptions {
  /** The flow's GUID. */
  flowId: string;
  /** An XML string, or a plain object turned into XML. */
  input?: FlowInput;
  /** Not with `flowId`: a request either runs a flow or watches an execution. */
  executionId?: undefined;
}

/** Follows an execution that already exists (`client.watch`), e.g. from the URL after a reload. */
export interface WatchRequest extends WatchOptions {
  /** The id of the execution to follow. */
  executionId: string;
  /** Not with `executionId`: a request either runs a flow or watches an execution. */
  flowId?: undefined;
}

/** What `injectExecution` and `executionResource` follow; `null`/`undefined` follows nothing (e.g. no id yet). */
export type ExecutionRequest = RunRequest | WatchRequest;

/** Options of `injectExecution` and `executionResource`. */
export interface InjectExecutionOptions {
  /** The injector to use outside an injection context; polling stops when it is destroyed. @default the current injection context's */
  injector?: Injector;
  /** A name for Angular DevTools: the ref's `debugName`, and its signals' (`letter.status`…). @default undefined */
  debugName?: string;
}
