import type { Signal } from '@angular/core';
import type { DocumentReference, FlowExecution, FlowProgress, FlowStatus } from 'smart-flows-rx';
import { type ResourceShape, resourceShape } from './asResource';
import type { ExecutionRequest, InjectExecutionOptions } from './executionRequest';
import { followExecution } from './followExecution';
import { injectorFor } from './injectionContext';

export type { ExecutionRequest, InjectExecutionOptions, RunRequest, WatchRequest } from './executionRequest';

/** One execution as read-only signals, and what can be done with it. */
export interface ExecutionRef extends ResourceShape<FlowExecution> {
  /** The execution's id, once the start answered (or the id watched). */
  readonly executionId: Signal<string | undefined>;
  /** The normalized status; `undefined` before the first progress. */
  readonly status: Signal<FlowStatus | undefined>;
  /** 0–100. @default 0 */
  readonly percentage: Signal<number>;
  /** What the execution is doing now. @default '' */
  readonly message: Signal<string>;
  /** The latest progress (its `schema`/`form`/`model` hold a UserInput form). */
  readonly progress: Signal<FlowProgress | undefined>;
  /** The full execution, once it ended in Success or Warning. */
  readonly output: Signal<FlowExecution | undefined>;
  /** The documents found in the progress model and the output (ids for `downloadDocument`). */
  readonly documents: Signal<DocumentReference[]>;
  /** Why it stopped: `FlowExecutionError` (Error, Canceled, Interrupted) or a request failure. */
  readonly error: Signal<unknown>;
  /** True from the start until the end (output or error). */
  readonly isActive: Signal<boolean>;
  /**
   * Asks the server to cancel the execution; the signals then reach `Canceled`.
   * @returns settles when the server answered; rejects (with `SmartFlowsInputError` before the start answered)
   */
  cancel(): Promise<void>;
  /**
   * Answers the form of an execution in `UserInput`; polling resumes at once.
   * @returns the progress the server answered with
   */
  submitUserInput(values: Record<string, unknown>): Promise<FlowProgress>;
  /**
   * Starts again after the end (does nothing while active, or before a new request is
   * followed): an execution that may still be running (a network failure or a timeout while
   * following it) is watched again, so it is never started twice; a start whose answer was
   * lost (`executionMayExist`, no id) is left as it is (nothing happens); otherwise the flow is
   * started anew (or the id watched again). The same rule as `injectBatch`'s `retry()`.
   */
  retry(): void;
}

/**
 * Runs a flow (`{ flowId, input }`) or follows an execution (`{ executionId }`) as signals, for a
 * component or service. Pass a function to read signals (inputs, route params): when what it
 * returns changes, the previous run is left and a new one starts, like a new subscription.
 * Polling stops when the injector (the component) is destroyed; the execution on the server goes
 * on unless `cancelOnUnsubscribe: true`. Uses the client of `provideSmartFlows`.
 *
 * Server-side rendering: on the server platform nothing is started or polled; a run renders its
 * initial state (`status` undefined, `isActive` false) and the browser starts it after hydration,
 * once; a watch renders the initial state too, or one snapshot with `withServerRendering({ snapshot: true })`.
 * With zone.js, polls run outside Angular's zone (the app stays stable between them) and the
 * signals are set inside it.
 *
 * @param request - the run or watch, or a function (a signal) giving it, or `null` for none yet
 * @param options - `injector`, to call it outside an injection context; `debugName` for DevTools
 * @returns read-only signals and `cancel()`, `submitUserInput(values)`, `retry()`; the shape of
 *   Angular's `Resource` too (`value`, `isLoading`, `hasValue()`, `reload()`, and `resource`)
 * @example
 * export class LetterComponent {
 *   readonly customer = input.required<string>();
 *   readonly letter = injectExecution(() => ({ flowId: LETTER_FLOW, input: { Letter: { To: this.customer() } } }));
 * }
 * // template: <progress [value]="letter.percentage()" max="100"></progress> {{ letter.message() }}
 */
export function injectExecution(
  request: ExecutionRequest | null | undefined | (() => ExecutionRequest | null | undefined),
  options: InjectExecutionOptions = {},
): ExecutionRef {
  const injector = injectorFor(injectExecution, options.injector);
  const { debugName } = options;
  const execution = followExecution(injector, request, debugName);
  const { output, error, isActive, restart } = execution;
  return {
    executionId: execution.executionId,
    status: execution.status,
    percentage: execution.percentage,
    message: execution.message,
    progress: execution.progress,
    output,
    documents: execution.documents,
    error,
    isActive,
    cancel: execution.cancel,
    submitUserInput: execution.submitUserInput,
    retry: () => void restart(),
    ...resourceShape({ value: output, error, active: isActive }, restart, debugName),
  };
}
