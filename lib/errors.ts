import type { FlowExecution, FlowProgress, FlowStatus } from './api/types';
import { redactStrings } from './internal/redactStrings';

/** Fields every Smart Flows error may carry. */
export interface SmartFlowsErrorOptions {
  /** The underlying failure, kept in the standard `cause`. */
  cause?: unknown;
  /** The execution this error belongs to, once the server created one. */
  executionId?: string;
  /** A start request failed in a way that does not prove the server started nothing (see {@link SmartFlowsError.executionMayExist}). */
  executionMayExist?: boolean;
  /** A form answer failed in a way that does not prove the server took nothing (see {@link SmartFlowsError.answerMayBeTaken}). */
  answerMayBeTaken?: boolean;
}

/** What an error whose execution may exist adds to its message (the CLI says it in its own words instead: {@link messageWithoutNote}). */
const MAY_EXIST_NOTE = ' (the request may have reached the server: an execution may exist; see listExecutions)';

/**
 * The message of each error built with {@link MAY_EXIST_NOTE} appended (or repeating a cause's
 * message that had it), without the note. Kept outside the objects, like `remakers`, so it
 * shows in no log and on no public field.
 */
const messagesWithoutNote = new WeakMap<object, string>();

/**
 * `error`'s message without the note an `executionMayExist` error appends to it (for an error
 * whose message repeats its cause's, the cause's note too); its message as it is for any other.
 * Read from what the error was built with, never cut out of the message.
 * @internal Used by the CLI (`cli/failures.ts`), which says where to look in its own words; not exported from the package.
 */
export function messageWithoutNote(error: { message: string }): string {
  return messagesWithoutNote.get(error) ?? error.message;
}

/**
 * For an error whose message repeats its cause's (`repeat(cause.message)`): when the cause's
 * message had the note, keeps `repeat` of the cause's message without it as `error`'s.
 * @internal Used by `SmartFlowsBatchError`; not exported from the package.
 */
export function repeatWithoutNote(error: SmartFlowsError, cause: unknown, repeat: (causeMessage: string) => string): void {
  const plain = messagesWithoutNote.get(cause as object);
  if (plain !== undefined) messagesWithoutNote.set(error, repeat(plain));
}

/** What an error of a form answer that may have been taken adds to its message. */
const MAY_BE_TAKEN_NOTE = ' (the form answer may have been taken: read the progress first)';

/**
 * How to build each error again with more context (an executionId, executionMayExist): errors
 * are never changed after creation, since one may already be in a subscriber's hands. Kept
 * outside the objects, so it shows in no log.
 */
const remakers = new WeakMap<object, { ctor: abstract new (...args: never[]) => SmartFlowsError; make: Remake<SmartFlowsError> }>();

/** Text the server sent (or that may echo it), rewritten: a redaction. */
type Edit = (text: string) => string;
const same: Edit = (text) => text;

/** Builds the error again with these options, its server text passed through `edit`. */
type Remake<T> = (options: SmartFlowsErrorOptions, edit?: Edit) => T;

function remember<T extends SmartFlowsError>(error: T, ctor: abstract new (...args: never[]) => T, make: Remake<T>): void {
  remakers.set(error, { ctor, make });
}

/** The options an error was built with, for building it again. */
function optionsOf(error: SmartFlowsError): SmartFlowsErrorOptions {
  return {
    ...(Object.hasOwn(error, 'cause') ? { cause: error.cause } : {}),
    ...(error.executionId !== undefined ? { executionId: error.executionId } : {}),
    ...(error.executionMayExist ? { executionMayExist: true } : {}),
    ...(error.answerMayBeTaken ? { answerMayBeTaken: true } : {}),
  };
}

/**
 * The same error with every text the server may have echoed a secret in passed through
 * `redact`: the message, an HTTP error's `body`, a flow error's progress and execution.
 * `error` itself when nothing changed (or when it is no error this module can build again).
 * @internal Used by the API layer on its error paths; not exported from the package.
 */
export function redactError<T>(error: T, redact: Edit): T {
  if (!(error instanceof SmartFlowsError)) return error;
  const remaker = remakers.get(error);
  if (!remaker || remaker.ctor !== error.constructor) return error;
  const redacted = remaker.make(optionsOf(error), redact);
  return redacted.message === error.message && (redacted as { body?: unknown }).body === (error as { body?: unknown }).body && !changedFlow(error, redacted)
    ? error
    : (redacted as T);
}

function changedFlow(a: SmartFlowsError, b: SmartFlowsError): boolean {
  if (a instanceof SmartFlowsTimeoutError && b instanceof SmartFlowsTimeoutError) return a.lastProgress?.message !== b.lastProgress?.message;
  return a instanceof FlowExecutionError && b instanceof FlowExecutionError && (a.progress !== b.progress || a.execution !== b.execution);
}

/**
 * The same error with more context: `error` itself when it already carries it, else a new
 * error of the same class with the same fields and `cause`, built with the context at
 * construction (so its message and stack agree). An error of a class this module does not
 * know how to build again (a subclass from elsewhere) is given back unchanged.
 * @internal Used by the API and execution layers; not exported from the package.
 */
export function withErrorContext<T extends SmartFlowsError>(
  error: T,
  context: { executionId?: string; executionMayExist?: boolean; answerMayBeTaken?: boolean },
): T {
  const executionId = error.executionId ?? context.executionId;
  const executionMayExist = error.executionMayExist === true || context.executionMayExist === true;
  const answerMayBeTaken = error.answerMayBeTaken === true || context.answerMayBeTaken === true;
  if (executionId === error.executionId && executionMayExist === (error.executionMayExist === true) && answerMayBeTaken === (error.answerMayBeTaken === true)) return error;
  const remaker = remakers.get(error);
  if (!remaker || remaker.ctor !== error.constructor) return error;
  return remaker.make({
    ...(Object.hasOwn(error, 'cause') ? { cause: error.cause } : {}),
    ...(executionId !== undefined ? { executionId } : {}),
    ...(executionMayExist ? { executionMayExist } : {}),
    ...(answerMayBeTaken ? { answerMayBeTaken } : {}),
  }) as T;
}

/**
 * Base class of every error this library raises. A real `Error` with `name` and `cause`.
 * Errors raised after an execution was created carry its `executionId`, so the caller can
 * `watch(executionId)` again: nothing the server did is lost.
 */
export class SmartFlowsError extends Error {
  /** Always `'SmartFlowsError'` for this base class; each subclass sets its own (what the guards check across realms). */
  override name = 'SmartFlowsError';
  /** The execution this error belongs to, when one was created. */
  readonly executionId?: string;
  /**
   * True when a start request failed in a way that does not prove the server started
   * nothing (a timeout, a reset after sending): look for the execution before starting again.
   */
  readonly executionMayExist?: boolean;
  /**
   * True when a form answer (`submitUserInput`) failed in a way that does not prove the server
   * took nothing (a timeout, a reset after sending, a 500; a 429 or 503 whose progress read could
   * not tell): the flow may have moved on with these values. Read the execution's progress
   * (`getProgress`) before answering again: answering the next form with them would fill it twice.
   */
  readonly answerMayBeTaken?: boolean;

  /**
   * Builds the error; with `executionMayExist` its message says the execution may exist.
   * @param message - what went wrong; with `executionMayExist` a note to look for the execution is appended
   * @param options - the `cause`, `executionId`, `executionMayExist` and `answerMayBeTaken` to carry
   */
  constructor(message: string, options: SmartFlowsErrorOptions = {}) {
    super(
      (options.executionMayExist ? message + MAY_EXIST_NOTE : message) + (options.answerMayBeTaken ? MAY_BE_TAKEN_NOTE : ''),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    if (options.executionId !== undefined) this.executionId = options.executionId;
    if (options.executionMayExist) {
      this.executionMayExist = true;
      messagesWithoutNote.set(this, options.answerMayBeTaken ? message + MAY_BE_TAKEN_NOTE : message);
    }
    if (options.answerMayBeTaken) this.answerMayBeTaken = true;
    remember(this, SmartFlowsError, (o, edit = same) => new SmartFlowsError(edit(message), o));
  }

  /** A plain form for logs: never holds a secret (messages and URLs are built without them). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'cause' && key !== 'execution' && key !== 'progress') out[key] = value;
    }
    return out;
  }
}

/** Bad arguments or options, caught before any request was sent. */
export class SmartFlowsInputError extends SmartFlowsError {
  /** Always `'SmartFlowsInputError'` (what {@link isSmartFlowsInputError} checks across realms). */
  override name = 'SmartFlowsInputError';
  /** Validation issues (zod's `issues` or XML check details), when there are any. */
  readonly issues?: readonly unknown[];
  /**
   * Builds the error for a bad argument or option, before any request.
   * @param message - which argument or option is wrong, and why
   * @param options - the common error options, plus the validation `issues` when there are any
   */
  constructor(message: string, options: SmartFlowsErrorOptions & { issues?: readonly unknown[] } = {}) {
    super(message, options);
    if (options.issues) this.issues = options.issues;
    remember(this, SmartFlowsInputError, (o, edit = same) => new SmartFlowsInputError(edit(message), { ...o, ...(options.issues ? { issues: options.issues } : {}) }));
  }
}

/**
 * The `bearerToken` function failed at run time: it threw or rejected (an auth server down),
 * completed without a token, or gave something that is not a token. The request was not sent.
 * The function's own failure is the `cause`. Not retried: the function decides its own retries.
 */
export class SmartFlowsAuthError extends SmartFlowsError {
  /** Always `'SmartFlowsAuthError'` (what {@link isSmartFlowsAuthError} checks across realms). */
  override name = 'SmartFlowsAuthError';
  /**
   * Builds the error for a failed `bearerToken` function.
   * @param message - how the `bearerToken` function failed
   * @param options - the common error options; `cause` is the function's own failure
   */
  constructor(message: string, options: SmartFlowsErrorOptions = {}) {
    super(message, options);
    remember(this, SmartFlowsAuthError, (o, edit = same) => new SmartFlowsAuthError(edit(message), o));
  }
}

/** A non-2xx answer, after retries. */
export class SmartFlowsHttpError extends SmartFlowsError {
  /** Always `'SmartFlowsHttpError'` (what {@link isSmartFlowsHttpError} checks across realms). */
  override name = 'SmartFlowsHttpError';
  /** The HTTP status of the last answer (e.g. 404, 503). */
  readonly status: number;
  /** The request's HTTP method (`GET`, `POST` or `DELETE`). */
  readonly method: string;
  /** The request URL, without query secrets (none are ever put there). */
  readonly url: string;
  /**
   * The answer body, trimmed to 1,000 characters, with anything of the client's secrets in it
   * (as is, escaped, encoded, base64, or a cut piece of 8 characters or more) replaced by `[redacted]`.
   */
  readonly body: string;
  /** The server's Retry-After, in ms (already clamped), when it sent one. */
  readonly retryAfterMs?: number;
  /**
   * Builds the error from the answer; its message reads `Request failed with status 503: GET /api/v1/…`.
   * @param init - the answer's status, the request's method and URL, the (trimmed) answer body and the clamped Retry-After
   * @param options - the common error options
   */
  constructor(
    init: { status: number; method: string; url: string; body: string; retryAfterMs?: number },
    options: SmartFlowsErrorOptions = {},
  ) {
    super(`Request failed with status ${init.status}: ${init.method} ${pathOf(init.url)}`, options);
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.body = init.body;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    remember(this, SmartFlowsHttpError, (o, edit = same) => new SmartFlowsHttpError(edit === same ? init : { ...init, body: edit(init.body) }, o));
  }
}

/** No answer at all (refused, reset, DNS), after retries. */
export class SmartFlowsNetworkError extends SmartFlowsError {
  /** Always `'SmartFlowsNetworkError'` (what {@link isSmartFlowsNetworkError} checks across realms). */
  override name = 'SmartFlowsNetworkError';
  /** The request's HTTP method (`GET`, `POST` or `DELETE`). */
  readonly method: string;
  /** The request URL, without query secrets (none are ever put there). */
  readonly url: string;
  /**
   * False when the request certainly never reached the server (connection refused, DNS
   * failure); true when it may have been received (reset, aborted mid-way).
   */
  readonly maybeReceived: boolean;
  /**
   * Builds the error from the failed request; its message reads `Network error (ECONNRESET): GET /api/v1/…`.
   * @param init - the request's method and URL, whether it may have reached the server, and a short `detail` (an error code) for the message
   * @param options - the common error options; `cause` is the fetch failure
   */
  constructor(
    init: { method: string; url: string; maybeReceived: boolean; detail?: string },
    options: SmartFlowsErrorOptions = {},
  ) {
    super(
      `Network error${init.detail ? ` (${init.detail})` : ''}: ${init.method} ${pathOf(init.url)}`,
      options,
    );
    this.method = init.method;
    this.url = init.url;
    this.maybeReceived = init.maybeReceived;
    remember(this, SmartFlowsNetworkError, (o) => new SmartFlowsNetworkError(init, o));
  }
}

/** An answer that is not the JSON expected. */
export class SmartFlowsResponseError extends SmartFlowsError {
  /** Always `'SmartFlowsResponseError'` (what {@link isSmartFlowsResponseError} checks across realms). */
  override name = 'SmartFlowsResponseError';
  /** zod's issues, when a schema did not match. */
  readonly issues?: readonly unknown[];
  /** True when the body was not JSON at all (garbled or cut): a GET is worth sending again. */
  readonly retryable: boolean;
  /**
   * Builds the error for an answer that could not be read or did not match its schema.
   * @param message - what is wrong with the answer
   * @param options - the common error options, plus zod's `issues` and whether the request is worth sending again (`retryable`, default false)
   */
  constructor(
    message: string,
    options: SmartFlowsErrorOptions & { issues?: readonly unknown[]; retryable?: boolean } = {},
  ) {
    super(message, options);
    if (options.issues) this.issues = options.issues;
    this.retryable = options.retryable ?? false;
    const { issues, retryable } = options;
    remember(this, SmartFlowsResponseError, (o, edit = same) => new SmartFlowsResponseError(edit(message), { ...o, ...(issues ? { issues } : {}), ...(retryable !== undefined ? { retryable } : {}) }));
  }
}

/** Where an execution stood when its follower stopped waiting: its last progress, reduced to what a caller decides on. */
export interface LastProgress {
  /** The status last seen (normalized). */
  status: FlowStatus;
  /** The percentage last seen (0–100). */
  percentage: number;
  /** The server's message last seen ('' when it sent none). */
  message: string;
}

/** A request, or the whole execution, took longer than its limit. */
export class SmartFlowsTimeoutError extends SmartFlowsError {
  /** Always `'SmartFlowsTimeoutError'` (what {@link isSmartFlowsTimeoutError} checks across realms). */
  override name = 'SmartFlowsTimeoutError';
  /** The limit that was passed, in ms. */
  readonly timeoutMs: number;
  /**
   * Where the execution stood at the limit (a follower's `timeoutMs`): the last progress seen, so a
   * caller can decide to `watch(executionId)` again. Absent when no progress had been seen (a
   * start that did not answer) and for a single request's timeout.
   */
  readonly lastProgress?: LastProgress;
  /**
   * Builds the error for a passed time limit.
   * @param message - what took too long
   * @param timeoutMs - the limit that was passed, in ms
   * @param options - the common error options, plus the `lastProgress` seen before the limit
   */
  constructor(message: string, timeoutMs: number, options: SmartFlowsErrorOptions & { lastProgress?: LastProgress } = {}) {
    super(message, options);
    this.timeoutMs = timeoutMs;
    const { lastProgress } = options;
    if (lastProgress) this.lastProgress = lastProgress;
    remember(this, SmartFlowsTimeoutError, (o, edit = same) =>
      new SmartFlowsTimeoutError(edit(message), timeoutMs, { ...o, ...(lastProgress ? { lastProgress: edit === same ? lastProgress : { ...lastProgress, message: edit(lastProgress.message) } } : {}) }));
  }
}

/** Marks this package's abort errors, whose `name` (`'AbortError'`) they share with every other abort: across realms and package copies too. */
const ABORT_BRAND = Symbol.for('smart-flows-rx.abort');

/**
 * The caller's `AbortSignal` (the `signal` option) ended the stream: it was left as an
 * unsubscription leaves it (the request in flight aborted, every timer stopped, the cancel sent
 * if `cancelOnUnsubscribe` asked for it), then errored with this. Named `'AbortError'`, as
 * `fetch` and Node name their aborts, so `error.name === 'AbortError'` checks keep working; the
 * signal's `reason` is the `cause` (for `AbortSignal.timeout()`, a `TimeoutError` DOMException).
 * Carries the `executionId` when one was known; `executionMayExist` when a start was on its way.
 */
export class SmartFlowsAbortError extends SmartFlowsError {
  /** Always `'AbortError'` (what {@link isSmartFlowsAbortError} checks, with this package's mark, across realms). */
  override name = 'AbortError';
  /** The signal's `reason`, as it was: the `cause`. */
  get reason(): unknown {
    return this.cause;
  }
  /**
   * Builds the error for an aborted stream.
   * @param reason - the signal's `reason`
   * @param options - the common error options (`cause` is always the reason)
   */
  constructor(reason: unknown, options: SmartFlowsErrorOptions = {}) {
    let named: unknown;
    // The reason is the caller's object, read in the signal's listener: a `name` that throws (a
    // getter, a revoked Proxy) must not escape from it. Then the message says no name.
    try {
      named = (reason as { name?: unknown } | null | undefined)?.name;
    } catch {
      // The plain wording.
    }
    const id = options.executionId;
    super(
      `The signal aborted the stream${id ? ` of execution ${id} (it runs on unless canceled: watch it again with its executionId)` : ''}${typeof named === 'string' ? `: ${named.slice(0, 40)}` : ''}`,
      // (An undefined reason: no `cause`, as SmartFlowsError leaves out an undefined one.)
      { ...options, cause: reason },
    );
    Object.defineProperty(this, ABORT_BRAND, { value: true });
    remember(this, SmartFlowsAbortError, (o) => new SmartFlowsAbortError(reason, o));
  }
}

/** The flow itself ended in Error, Canceled or Interrupted (or asked for input headless). */
export class FlowExecutionError extends SmartFlowsError {
  /** Always `'FlowExecutionError'` (what {@link isFlowExecutionError} checks across realms). */
  override name = 'FlowExecutionError';
  /** The execution that ended; always set, taken from the progress. */
  declare readonly executionId: string;
  /** The status the execution ended with (`Error`, `Canceled`, `Interrupted`), or the status asking for input under `onUserInput: 'error'`. */
  readonly status: FlowStatus;
  /**
   * The last progress the server gave, with its `message` when it sent one. When the failure
   * status came from the execution's own GET (after a `Success` progress, or with
   * `tracking: 'listing'`), only its id, percentage and status, with `message` `''`: the last
   * progress spoke of a running execution; the failure's details are in `execution`.
   */
  readonly progress: FlowProgress;
  /**
   * The execution (with its `state`, but not `state.inputData`: the input you sent, which an
   * error logged whole or published on the diagnostics channels must not carry), when it could
   * be fetched after the failure; absent when the flow stopped to ask for input.
   */
  readonly execution?: FlowExecution;
  /**
   * Builds the error from the execution's last progress; its `executionId` is the progress's id.
   * @param progress - the last progress; its id, status and message make the error's message
   * @param execution - the execution, when it could be fetched
   */
  constructor(progress: FlowProgress, execution?: FlowExecution) {
    super(
      `Flow execution ${progress.id} ended with status ${progress.status}` +
        (progress.message ? `: ${progress.message}` : ''),
      { executionId: progress.id },
    );
    this.status = progress.status;
    this.progress = progress;
    if (execution) this.execution = withoutInput(execution);
    // Its executionId comes from the progress: there is nothing to add to it later.
    remember(this, FlowExecutionError, (_o, edit = same) =>
      edit === same ? new FlowExecutionError(progress, execution) : new FlowExecutionError(redactStrings(progress, edit), execution && redactStrings(execution, edit)));
  }
}

/** The execution without `state.inputData` (a copy; the same object when it has none). */
function withoutInput(execution: FlowExecution): FlowExecution {
  const state = execution.state;
  if (state === undefined || state === null || typeof state !== 'object' || !('inputData' in state)) return execution;
  const { inputData: _input, ...rest } = state;
  return { ...execution, state: rest };
}

const guard =
  <T extends SmartFlowsError>(ctor: abstract new (...args: never[]) => T, name: string) =>
  (error: unknown): error is T =>
    error instanceof ctor ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name);

const OUR_NAMES = /^(SmartFlows\w*Error|FlowExecutionError)$/;

const isBranded = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[ABORT_BRAND] === true;

/**
 * True for any error of this library, also across realms and duplicated package copies
 * (an `Error` from another realm fails `instanceof Error`, so only the `name` is checked).
 */
export const isSmartFlowsError = (error: unknown): error is SmartFlowsError =>
  error instanceof SmartFlowsError ||
  (typeof error === 'object' && error !== null && OUR_NAMES.test(String((error as { name?: unknown }).name))) ||
  isBranded(error);
/** True for a {@link SmartFlowsInputError} (bad arguments or options), also across realms and duplicated package copies. */
export const isSmartFlowsInputError = guard(SmartFlowsInputError, 'SmartFlowsInputError');
/** True for a {@link SmartFlowsAuthError} (the `bearerToken` function failed), also across realms and duplicated package copies. */
export const isSmartFlowsAuthError = guard(SmartFlowsAuthError, 'SmartFlowsAuthError');
/** True for a {@link SmartFlowsHttpError} (a non-2xx answer), also across realms and duplicated package copies. */
export const isSmartFlowsHttpError = guard(SmartFlowsHttpError, 'SmartFlowsHttpError');
/** True for a {@link SmartFlowsNetworkError} (no answer at all), also across realms and duplicated package copies. */
export const isSmartFlowsNetworkError = guard(SmartFlowsNetworkError, 'SmartFlowsNetworkError');
/** True for a {@link SmartFlowsResponseError} (an answer that is not the JSON expected), also across realms and duplicated package copies. */
export const isSmartFlowsResponseError = guard(SmartFlowsResponseError, 'SmartFlowsResponseError');
/** True for a {@link SmartFlowsTimeoutError} (a request or execution past its limit), also across realms and duplicated package copies. */
export const isSmartFlowsTimeoutError = guard(SmartFlowsTimeoutError, 'SmartFlowsTimeoutError');
/**
 * True for a {@link SmartFlowsAbortError} (the `signal` option ended the stream), also across realms
 * and duplicated package copies; false for other `AbortError`s (a `fetch`'s, Node's).
 */
export const isSmartFlowsAbortError = (error: unknown): error is SmartFlowsAbortError =>
  error instanceof SmartFlowsAbortError || ((error as { name?: unknown } | null)?.name === 'AbortError' && isBranded(error));
/** True for a {@link FlowExecutionError} (the flow ended in failure or asked for input headless), also across realms and duplicated package copies. */
export const isFlowExecutionError = guard(FlowExecutionError, 'FlowExecutionError');

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
