import { catchError, concatMap, defer, filter, finalize, map, type MonoTypeOperatorFunction, type Observable, startWith, Subject, take, tap, throwError } from 'rxjs';
import { redactError, SmartFlowsError, SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsNetworkError, SmartFlowsResponseError, withErrorContext } from '../errors';
import type { Send } from '../http/send';
import type { RetryMode } from '../http/retry';
import { attachExecutionId } from '../internal/attachExecutionId';
import type { Redact } from '../internal/redact';
import type { ApiSettings, HttpSettings } from '../options';
import { reconcileWithin } from '../batch/lazyReconcile';
import { retryListener } from '../diagnostics/traceRequest';
import { busyStart, isBusyAnswer, MAX_LOOK_PAGES, MAX_LOOK_READS } from './busyStart';
import { busyFormAnswer } from './busyFormAnswer';
import type { ExecutionPage, ListExecutionsOptions } from './listings';
import type { ExecutionApi } from './ExecutionApi';
import { endpoints } from './endpoints';
import { isGuid } from './ids';
import { progressHoldMs, progressTimeoutParam } from './progressTimeout';
import { parseExecution, parseProgress } from './schemas';
import { redactFailed, redactionOf } from './redaction';
import { needsUserAction } from './status';
import type { FlowProgress, FlowStatus } from './types';
import { withFallback } from './withFallback';

/** What a start or a form answer answered busy needs beyond `send`: the flow's listing, the retry policy and its clock. */
export interface StartLookup {
  /** The client's `listExecutions`, each page sent once (never retried: a failure makes the look uncertain). */
  listExecutions(options: ListExecutionsOptions): Observable<ExecutionPage>;
  /** The http layer's retry policy and scheduler (the waits before a busy start is looked up, or a busy form answer's progress read). */
  http: Pick<HttpSettings, 'retry' | 'scheduler'>;
}

/** How many ids of executions this client's starts were answered with are kept (never adopted by another start's look). */
const KNOWN_STARTS = 4_096;
/** How many executions' forms (the last progress waiting for input read of each) are kept for a busy form answer's read. */
const KNOWN_FORMS = 1_024;

/**
 * The calls of one execution (start, progress, full execution, cancel, form answer), each
 * answer checked by its zod schema. Part of the engine chunk (see `internal/loadEngine.ts`):
 * `createApi` reaches them through it.
 * @param lookup - without it (tests of single calls), a busy start or form answer is sent again blind as the http layer's `'start'` mode did
 */
export function executionCalls(send: Send, settings: ApiSettings, lookup?: StartLookup): ExecutionApi {
  const redact: Redact = redactionOf(settings.secrets) ?? ((text) => text);
  // Errors leave with what the server echoed of the secrets redacted (on the catchError each
  // call has anyway: nothing more per poll).
  const withId = <T>(executionId: string): MonoTypeOperatorFunction<T> =>
    catchError((error: unknown) => throwError(() => attachExecutionId(redactError(error, redact), executionId)));
  const clean = <T extends { status: FlowStatus }>(answer: T): T => redactFailed(answer, redact);
  // Ids this client's starts were answered with (lower case, the newest KNOWN_STARTS): a busy
  // start's look never adopts another call's execution that already answered (same flow and input).
  const started = new Set<string>();
  const noteStarted = (id: string) => {
    started.add(id.toLowerCase());
    if (started.size > KNOWN_STARTS) started.delete(started.values().next().value!);
  };

  // Starts of one flow with one input (the key) in this client: start POSTs sent and not yet
  // answered, and whether a busy start's look runs. A look waits until no POST of its key is in
  // flight (a slow answer's id is then in `started`) and no other look of it runs; a POST waits
  // while a look of its key runs. So two looks never pick the same execution, and a look never
  // adopts the execution of a start whose answer has not come. The happy path (no look) only
  // counts. Entries go when nothing of their key is in flight.
  const inFlight = new Map<string, { posts: number; looking: boolean }>();
  const inFlightChanged = new Subject<void>();
  const gated = <T>(key: string, role: 'post' | 'look', work: () => Observable<T>): Observable<T> =>
    defer(() => {
      let held = false;
      const free = () => {
        const entry = inFlight.get(key);
        return role === 'post' ? !entry?.looking : entry === undefined || (entry.posts === 0 && !entry.looking);
      };
      return inFlightChanged.pipe(
        startWith(undefined),
        // Checked and marked in one synchronous emission: no other waiter runs in between.
        filter(free),
        take(1),
        tap(() => {
          const entry = inFlight.get(key) ?? { posts: 0, looking: false };
          if (role === 'post') entry.posts++;
          else entry.looking = true;
          inFlight.set(key, entry);
          held = true;
        }),
        concatMap(work),
        finalize(() => {
          if (!held) return;
          const entry = inFlight.get(key)!;
          if (role === 'post') entry.posts--;
          else entry.looking = false;
          if (entry.posts === 0 && !entry.looking) inFlight.delete(key);
          inFlightChanged.next();
        }),
      );
    });

  // The last progress waiting for a person (UserInput, SelectFlow) this client read of each
  // execution (lower-case id, the newest KNOWN_FORMS): the form a form answer answers, for its
  // read after a busy answer (busyFormAnswer.ts). Any other progress forgets it (one compare per poll).
  const forms = new Map<string, FlowProgress>();
  const noteForm = (progress: FlowProgress): FlowProgress => {
    if (needsUserAction(progress.status)) {
      const id = progress.id.toLowerCase();
      forms.delete(id);
      forms.set(id, progress);
      if (forms.size > KNOWN_FORMS) forms.delete(forms.keys().next().value!);
    } else if (forms.size > 0) {
      forms.delete(progress.id.toLowerCase());
    }
    return progress;
  };

  const readProgress = (executionId: string, waitSeconds: number, mode: RetryMode) =>
    send(() => ({
      method: 'GET',
      path: endpoints.progress(executionId),
      // Always an explicit timeout; the http layer adds the hold it asks to the request's limit
      // (see progressTimeout.ts).
      query: { timeout: progressTimeoutParam(waitSeconds) },
      holdMs: progressHoldMs(waitSeconds),
    }), mode).pipe(
      map((body) => {
        const progress = parseProgress(body, executionId);
        if (progress.id.toLowerCase() !== executionId.toLowerCase()) {
          throw new SmartFlowsResponseError(`The server answered with the progress of another execution (${progress.id.slice(0, 36)})`, { executionId });
        }
        return noteForm(clean(progress));
      }),
      withId(executionId),
    );

  const readExecution = (executionId: string, mode: RetryMode) =>
    send(() => ({ method: 'GET', path: endpoints.execution(executionId) }), mode).pipe(
      map((body) => {
        const execution = parseExecution(body, executionId);
        // Every execution GET (getExecution, a follower's final GET, the tracker's confirm, a busy start's look): one check.
        if (execution.id.toLowerCase() !== executionId.toLowerCase()) {
          throw new SmartFlowsResponseError(`The server answered with another execution (${execution.id.slice(0, 36)})`, { executionId });
        }
        return clean(execution);
      }),
      withId(executionId),
    );

  const calls: ExecutionApi = {
    start: (flowId, xml, skipUserInput, retryBusy = true) => {
      const build = () => ({
        method: 'POST' as const,
        path: skipUserInput ? endpoints.startSkippingInput() : endpoints.start(),
        query: { flowId: checkFlowId(flowId) },
        // The XML start always says what it sends, even with no input (a Spring endpoint
        // that consumes XML answers 415 to a POST without Content-Type); /start takes none.
        ...(skipUserInput && xml === undefined ? {} : { body: xml ?? '', contentType: 'application/xml; charset="utf-8"' }),
      });
      // Starts a look could take for one another: the same flow, the same input as sent.
      const key = `${String(flowId).toLowerCase()}\n${skipUserInput && xml === undefined ? '' : (xml ?? '')}`;
      const sendStart = (): Observable<FlowProgress> =>
        // Busy answers are the caller's (retryBusy: false) or busyStart's: the http layer retries a refused connection only.
        send(build, retryBusy && !lookup ? 'start' : 'startUnlessBusy').pipe(
          map((body) => {
            const progress = parseProgress(body);
            if (!isGuid(progress.id)) throw new SmartFlowsResponseError(`The server answered the start with an execution id that is not a GUID`);
            noteStarted(progress.id);
            return clean(progress);
          }),
        );
      // Without a lookup no look runs: nothing to count.
      const post = (): Observable<FlowProgress> => (lookup ? gated(key, 'post', sendStart) : sendStart());
      const started$ = !retryBusy || !lookup
        ? post()
        : busyStart({
            post,
            isBusy: (error): error is SmartFlowsHttpError => isBusyAnswer(error) && !isLogin(error.url),
            look: (sinceMs, cutoffMs) =>
              gated(key, 'look', () =>
                reconcileWithin(
                  // Each request sent once: a failure makes the look uncertain (the bound counts every request sent).
                  { listExecutions: lookup.listExecutions, getExecution: (executionId) => readExecution(executionId, 'once') },
                  { flowId, xml: skipUserInput && xml === undefined ? undefined : (xml ?? ''), sinceMs, ...(cutoffMs !== undefined ? { cutoffMs } : {}) },
                  started,
                  { maxPages: MAX_LOOK_PAGES, maxReads: MAX_LOOK_READS, stopAtFailedRead: true },
                ).pipe(
                  // Claimed when chosen, before the adoption's progress read: no other look takes it.
                  tap((found) => {
                    if (found.kind === 'adopt') noteStarted(found.executionId);
                  }),
                ),
              ),
            // Already claimed by the look that chose it (above).
            adopt: (executionId) => calls.progress(executionId, 0),
            retry: lookup.http.retry,
            scheduler: lookup.http.scheduler,
            onRetry: retryListener(build),
          });
      return started$.pipe(catchError((error: unknown) => throwError(() => markMayHaveReached(redactError(error, redact), retryBusy && lookup !== undefined, 'executionMayExist'))));
    },
    progress: (executionId, waitSeconds) => readProgress(executionId, waitSeconds, 'idempotent'),
    execution: (executionId) => readExecution(executionId, 'idempotent'),
    cancel: (executionId) =>
      withFallback(settings.endpointStyle, (style) =>
        send(() => ({ method: 'DELETE', path: endpoints.cancel(executionId, style), responseType: 'empty' })),
      ).pipe(map(() => undefined), withId(executionId)),
    submitUserInput: (executionId, values) => defer(() => {
      // Written once per call: a resend sends exactly this body, whatever the caller edits meanwhile.
      const json = formBody(values);
      const build = () => ({
        method: 'POST' as const,
        path: endpoints.progress(executionId),
        body: json,
        contentType: 'application/json',
      });
      // Not idempotent: after a 500, a reset or a timeout the form may have been taken (the
      // error says so); a busy answer is read up first (busyFormAnswer.ts), never sent again blind.
      const post = () => send(build, lookup ? 'startUnlessBusy' : 'start').pipe(map((body) => noteForm(clean(parseProgress(body, executionId)))));
      const answered$ = !lookup
        ? post()
        : busyFormAnswer({
            post,
            read: () => readProgress(executionId, 0, 'once'),
            // Taken before the first POST: a poll during the backoff may already see the next form.
            // (A bad id, not even a string, is the POST's to refuse: its build checks it.)
            form: () => (typeof executionId === 'string' ? forms.get(executionId.toLowerCase()) : undefined),
            retry: lookup.http.retry,
            scheduler: lookup.http.scheduler,
            onRetry: retryListener(build),
          });
      return answered$.pipe(
        catchError((error: unknown) => throwError(() => markMayHaveReached(redactError(error, redact), lookup !== undefined, 'answerMayBeTaken'))),
        withId(executionId),
      );
    }),
  };
  return calls;
}

/** A form answer's body: the values as JSON, or `SmartFlowsInputError` when JSON cannot write them (a BigInt, a cycle, a throwing `toJSON`). */
function formBody(values: Record<string, unknown>): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(values) as string | undefined;
  } catch (error) {
    // The cause keeps JSON's own words; the message names no value (it may hold anything).
    throw new SmartFlowsInputError('values cannot be written as JSON (a BigInt, a cycle, or a toJSON that throws)', { cause: error });
  }
  // A toJSON that answers undefined writes nothing.
  if (json === undefined) throw new SmartFlowsInputError('values cannot be written as JSON (their toJSON gave nothing)');
  return json;
}

function checkFlowId(flowId: string): string {
  // endpoints.executions checks and encodes a GUID; the query string wants it raw.
  endpoints.executions(flowId);
  return flowId;
}

/**
 * A POST's error (a start's, a form answer's), as a new error with `flag` (`executionMayExist`,
 * `answerMayBeTaken`) when the POST may have been taken: its message then says to look before
 * sending again.
 * @param looked - busy answers (429, 503) were looked up (`busyStart`, `busyFormAnswer`), which
 * mark them themselves (a look that found none leaves them unmarked); else a busy answer may
 * have been a late one and is marked like a 500
 */
function markMayHaveReached(error: unknown, looked: boolean, flag: 'executionMayExist' | 'answerMayBeTaken'): unknown {
  if (!(error instanceof SmartFlowsError)) return error;
  const reached = isBusyAnswer(error) ? !looked && !isLogin(error.url) : mayHaveStarted(error);
  return reached ? withErrorContext(error, { [flag]: true }) : error;
}

/** Whether a failed POST (a start, a form answer) may have reached the server and been taken. */
function mayHaveStarted(error: SmartFlowsError): boolean {
  // A failure of the login a token function made: the start itself was never sent.
  if ((error instanceof SmartFlowsHttpError || error instanceof SmartFlowsNetworkError) && isLogin(error.url)) return false;
  if (error.name === 'SmartFlowsTimeoutError') return true;
  // Only a 2xx answer is read: the server took the POST, and what it started is unknown (an
  // HTML page, a cut or garbled body, the wrong shape, an id that is not a GUID, too large).
  if (error instanceof SmartFlowsResponseError) return true;
  if (error instanceof SmartFlowsNetworkError) return error.maybeReceived;
  if (error instanceof SmartFlowsHttpError) return error.status >= 500 && error.status !== 503;
  return false;
}

function isLogin(url: string): boolean {
  try {
    return new URL(url).pathname.endsWith(endpoints.login());
  } catch {
    return false;
  }
}
