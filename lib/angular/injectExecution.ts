import { computed, type Injector, type Resource, type Signal, signal, untracked } from '@angular/core';
import { lastValueFrom } from 'rxjs';
import {
  type DocumentReference,
  type FlowExecution,
  type FlowInput,
  type FlowProgress,
  type FlowStatus,
  findDocuments,
  isFlowExecutionError,
  type RunOptions,
  SmartFlowsClient,
  SmartFlowsInputError,
  type WatchOptions,
} from 'smart-flows-rx';
import { asResource } from './asResource';
import { followRequest, shallowEqual } from './followRequest';
import { injectorFor } from './injectionContext';
import { afterFirstInterval, streamHost } from './streamHost';

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

/** What {@link injectExecution} follows; `null`/`undefined` follows nothing (e.g. no id yet). */
export type ExecutionRequest = RunRequest | WatchRequest;

/** Options of {@link injectExecution}. */
export interface InjectExecutionOptions {
  /** The injector to use outside an injection context; polling stops when it is destroyed. @default the current injection context's */
  injector?: Injector;
  /** A name for Angular DevTools: the ref's `debugName`, and its signals' (`letter.status`…). @default undefined */
  debugName?: string;
}

/** One execution as read-only signals, and what can be done with it. */
export interface ExecutionRef {
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
   * Starts again after the end (does nothing while active): an execution that may still be
   * running (the error names it and is not a `FlowExecutionError`) is watched again, so it is
   * never started twice; otherwise the flow is started anew (or the id watched again).
   */
  retry(): void;
  /**
   * The output once the run ended in Success or Warning: the same as `output`, under the name of
   * Angular's `Resource`, whose rule it follows: it throws `error()` while there is one (read
   * `hasValue()` or `output()` first).
   */
  readonly value: Signal<FlowExecution | undefined>;
  /** True while the execution is followed: `isActive`, under the name of Angular's `Resource`. */
  readonly isLoading: Signal<boolean>;
  /** Whether `value()` holds the output (reactive): the run ended in Success or Warning. */
  hasValue(): boolean;
  /**
   * `retry()`, as a `Resource`'s `reload()`: after the end, follows the execution again (or starts
   * the flow anew, see `retry`).
   * @returns true when it started again; false while active or with nothing to follow
   */
  reload(): boolean;
  /** The `debugName` given in the options, for Angular DevTools. */
  readonly debugName: string | undefined;
  /**
   * This execution as an Angular `Resource<FlowExecution | undefined>`, for code that takes one:
   * its `status` is the Resource's (`'idle'`, `'loading'` while followed, `'resolved'` with the
   * output, `'error'`), not the flow's; `error()` is an `Error`; `value()` is the output.
   */
  readonly resource: Resource<FlowExecution | undefined>;
}

interface State {
  active: boolean;
  executionId?: string;
  progress?: FlowProgress;
  output?: FlowExecution;
  error?: unknown;
}

const IDLE: State = { active: false };

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
  const client = injector.get(SmartFlowsClient);
  const { debugName } = options;
  const state = signal<State>(IDLE, { debugName });
  const current = computed(() => (typeof request === 'function' ? request() : request), { equal: shallowEqual });
  const restarts = signal(0);
  let resume: { request: ExecutionRequest; executionId: string } | undefined;
  const host = streamHost(injector);

  followRequest(injector, current, restarts, (req) => {
    const watchId = resume && resume.request === req ? resume.executionId : undefined;
    resume = undefined;
    if (!req) {
      state.set(IDLE);
      return undefined;
    }
    // On the server nothing starts or polls: the initial state, or one snapshot of a watched execution.
    if (host.server) {
      state.set(IDLE);
      return req.executionId === undefined ? undefined : host.readSnapshot(client, req.executionId, (progress) => state.set({ active: false, executionId: progress.id, progress }));
    }
    const rendered = req.executionId !== undefined && !watchId ? host.takeSnapshot(req.executionId) : undefined;
    state.set(watchId ? { active: true, executionId: watchId } : rendered ? { active: true, executionId: rendered.id, progress: rendered } : { active: true });
    const events = watchId
      ? client.watch(watchId, followOptions(req))
      : req.executionId !== undefined
        ? client.watch(req.executionId, followOptions(req))
        : client.run(req.flowId, req.input, runOptions(req));
    return host.follow(rendered ? afterFirstInterval(client, events) : events, {
      next: (event) =>
        state.update((s) => ({
          ...s,
          executionId: event.executionId,
          progress: event.progress,
          ...(event.type === 'output' ? { output: event.execution } : {}),
        })),
      error: (error: unknown) =>
        state.update((s) => ({
          ...s,
          active: false,
          error,
          ...(isFlowExecutionError(error) ? { progress: error.progress } : {}),
          executionId: s.executionId ?? executionIdOf(error),
        })),
      complete: () => state.update((s) => ({ ...s, active: false })),
    });
  });

  const executionId = computed(() => state().executionId);
  const progress = computed(() => state().progress);
  const output = computed(() => state().output);
  const needId = (what: string): string => {
    const id = untracked(executionId);
    if (!id) throw new SmartFlowsInputError(`No execution to ${what} yet: the start has not answered`);
    return id;
  };

  const error = computed(() => state().error);
  const isActive = computed(() => state().active);
  const restart = (): boolean => {
    const s = untracked(state);
    const req = untracked(current);
    if (s.active || !req) return false;
    const id = s.error !== undefined && !isFlowExecutionError(s.error) ? executionIdOf(s.error) : undefined;
    resume = id && req.executionId === undefined ? { request: req, executionId: id } : undefined;
    restarts.update((n) => n + 1);
    return true;
  };
  const resource = asResource({ value: output, error, active: isActive }, debugName);

  return {
    executionId,
    status: computed(() => progress()?.status),
    percentage: computed(() => progress()?.percentage ?? 0),
    message: computed(() => progress()?.message ?? ''),
    progress,
    output,
    documents: computed(() => findDocuments([progress()?.model, output()?.state]), { equal: sameDocuments }),
    error,
    isActive,
    cancel: () => new Promise<string>((resolve) => resolve(needId('cancel'))).then((id) => lastValueFrom(client.cancelExecution(id), { defaultValue: undefined })),
    submitUserInput: (values) =>
      new Promise<string>((resolve) => resolve(needId('answer'))).then((id) => lastValueFrom(client.submitUserInput(id, values))),
    retry: () => void restart(),
    value: resource.value,
    isLoading: isActive,
    hasValue: () => resource.hasValue(),
    reload: restart,
    debugName,
    resource,
  };
}

function executionIdOf(error: unknown): string | undefined {
  const id = (error as { executionId?: unknown } | null)?.executionId;
  return typeof id === 'string' ? id : undefined;
}

/** The options of `watch` in a request (a resumed run keeps its own). */
function followOptions(req: ExecutionRequest): WatchOptions {
  const { onUserInput, cancelOnUnsubscribe, downloadDocuments, timeoutMs } = req;
  return defined({ onUserInput, cancelOnUnsubscribe, downloadDocuments, timeoutMs });
}

function runOptions(req: RunRequest): RunOptions {
  return defined({ ...followOptions(req), skipUserInput: req.skipUserInput });
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function sameDocuments(a: DocumentReference[], b: DocumentReference[]): boolean {
  return a.length === b.length && a.every((d, i) => d.id === b[i]?.id && d.displayName === b[i]?.displayName);
}
