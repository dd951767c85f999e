import type { ResourceRef, Signal } from '@angular/core';
import type { DocumentReference, FlowExecution, FlowProgress, FlowStatus } from 'smart-flows-rx';
import { asResourceRef } from './asResource';
import { followExecution } from './followExecution';
import type { ExecutionRequest, InjectExecutionOptions } from './executionRequest';
import { injectorFor } from './injectionContext';

/**
 * One execution as an Angular `ResourceRef<FlowExecution | undefined>` (what `resource`,
 * `rxResource` and `httpResource` return), with the flow's own signals and actions beside.
 * `status()` is the Resource's (`'idle'`, `'loading'`, `'reloading'`, `'resolved'`, `'error'`,
 * `'local'`); the flow's status is `executionStatus()`. `value()` is the output once the run
 * ended in Success or Warning; while there is an `error()` it throws an Error whose `cause` is
 * that error, as Angular's `ResourceValueError`.
 */
export interface ExecutionResourceRef<T extends FlowExecution | undefined = FlowExecution | undefined> extends ResourceRef<T> {
  /**
   * Whether `value()` holds the output (reactive): the run ended in Success or Warning (or a
   * local value was set). A type guard, as Angular's: `value()` is a `FlowExecution` after it.
   */
  hasValue(this: T extends undefined ? this : never): this is ExecutionResourceRef<Exclude<T, undefined>>;
  /** Whether `value()` holds a value (reactive), where the type cannot narrow. */
  hasValue(): boolean;
  /** The execution's id, once the start answered (or the id watched). */
  readonly executionId: Signal<string | undefined>;
  /** The flow's normalized status (`'Running'`, `'UserInput'`, `'Success'`…); `undefined` before the first progress. */
  readonly executionStatus: Signal<FlowStatus | undefined>;
  /** 0–100. @default 0 */
  readonly percentage: Signal<number>;
  /** What the execution is doing now. @default '' */
  readonly message: Signal<string>;
  /** The latest progress (its `schema`/`form`/`model` hold a UserInput form). */
  readonly progress: Signal<FlowProgress | undefined>;
  /** The documents found in the progress model and the output (ids for `downloadDocument`). */
  readonly documents: Signal<DocumentReference[]>;
  /**
   * Asks the server to cancel the execution; the ref then reaches the `'error'` status with a
   * `FlowExecutionError` (`Canceled`).
   * @returns settles when the server answered; rejects (with `SmartFlowsInputError` before the start answered)
   */
  cancel(): Promise<void>;
  /**
   * Answers the form of an execution in `UserInput`; polling resumes at once.
   * @returns the progress the server answered with
   */
  submitUserInput(values: Record<string, unknown>): Promise<FlowProgress>;
  /** The `debugName` given in the options, for Angular DevTools (it names the ref's signals too). */
  readonly debugName: string | undefined;
}

/**
 * Runs a flow (`{ flowId, input }`) or follows an execution (`{ executionId }`) as an Angular
 * `ResourceRef`, for code and templates written against Angular's Resource API, as
 * `httpResource` is. The same engine and rules as `injectExecution` (which returns the
 * same signals under the flow's names): a function argument is read as signals and a new request
 * leaves the previous one; nothing starts or polls on the server; polls run outside Angular's
 * zone; polling stops when the injector is destroyed (or at `destroy()`), and the execution on
 * the server goes on unless `cancelOnUnsubscribe: true`.
 *
 * Angular's rules where the two differ: `reload()` after the end runs again (watching again an
 * execution that may still run, never starting it twice, and refusing after a start whose answer
 * was lost; else starting the flow anew) and shows the last output, or the error, meanwhile
 * (`'reloading'`);
 * it is false, as Angular's, in `'idle'` and `'loading'` and for a new request not followed yet.
 * A request function that throws gives the `'error'` status with what it threw in `error()`.
 * `destroy()` keeps `executionId()`, so `cancel()` still reaches the execution; `set(value)` / `update(fn)` show a local value
 * (`'local'`) until `reload()` or a new request, but, unlike `resource()`, do not leave the
 * execution: its progress signals go on, and `reload()` while it still runs shows it again.
 *
 * @param request - the run or watch, or a function (a signal) giving it, or `null` for none yet
 * @param options - `injector`, to call it outside an injection context; `debugName` for DevTools
 * @returns a `ResourceRef<FlowExecution | undefined>` with `executionId`, `executionStatus`,
 *   `percentage`, `message`, `progress`, `documents`, `cancel()`, `submitUserInput(values)`, `debugName`
 * @example
 * export class LetterComponent {
 *   readonly customer = input.required<string>();
 *   readonly letter = executionResource(() => ({ flowId: LETTER_FLOW, input: { Letter: { To: this.customer() } } }), { debugName: 'letter' });
 * }
 * // template: \@if (letter.hasValue()) { {{ letter.value().id }} } \@else if (letter.error()) { … } \@else { {{ letter.percentage() }} % }
 */
export function executionResource(
  request: ExecutionRequest | null | undefined | (() => ExecutionRequest | null | undefined),
  options: InjectExecutionOptions = {},
): ExecutionResourceRef {
  const injector = injectorFor(executionResource, options.injector);
  const { debugName } = options;
  const execution = followExecution(injector, request, debugName);
  const resource = asResourceRef({ value: execution.output, error: execution.error, active: execution.isActive }, execution, debugName);
  // Spread, then cast: `hasValue()` is a type guard (`this is ResourceRef<…>`) no object literal can declare.
  const ref = {
    ...resource,
    executionId: execution.executionId,
    executionStatus: execution.status,
    percentage: execution.percentage,
    message: execution.message,
    progress: execution.progress,
    documents: execution.documents,
    cancel: execution.cancel,
    submitUserInput: execution.submitUserInput,
    debugName,
  };
  return ref as unknown as ExecutionResourceRef;
}
