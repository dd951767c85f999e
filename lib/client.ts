import { defer, EMPTY, filter, map, NEVER, noop, type Observable, of, ReplaySubject, share, Subject, switchMap, tap } from 'rxjs';
import { checkCredentials, type LoginCredentials } from './api/checkCredentials';
import { createApi, type SmartFlowsApi } from './api/createApi';
import type { DocumentDataTypes, DocumentMetadata, DownloadAs, DownloadOptions } from './api/documents';
import type { ExecutionPage, ListExecutionsOptions } from './api/listings';
import type { LoginTokenSource } from './api/login';
import { guidSegment } from './api/ids';
import type { FlowInput, XmlConverter } from './api/prepareInput';
import type { DownloadedDocument, ExecutionEvent, FlowExecution, FlowProgress } from './api/types';
import { SmartFlowsInputError } from './errors';
import type { BatchControlOptions, BatchJob, BatchSnapshot } from './execution/batchTypes';
import type { FollowDeps, FollowOptions } from './execution/followExecution';
import { createHoldMemory } from './execution/holdMemory';
import { pageActivity, RESUME_SPREAD_MS } from './execution/pageVisibility';
import type { ListingTracker } from './tracker/ListingTracker';
import { type NormalizedTrackerOptions, normalizeTrackerOptions } from './tracker/trackerOptions';
import { createSender } from './http/send';
// The engine (calls, schemas, poll loop, batches) and the rarely used parts are loaded at the
// first subscription that needs them: a browser app's initial bundle holds this facade only.
import { withEngine } from './internal/loadEngine';
import { withDocuments, withLoginPart, withTracker } from './internal/loadParts';
import { loadedRedaction } from './internal/loadedRedaction';
import { REDACTED } from './internal/redacted';
import { notingTokens, type SecretBook } from './internal/secretBook';
import { traceRun } from './diagnostics/traceRun';
import { type ClientOptionsView, type ExecutionSettings, normalizeOptions, type SmartFlowsClientOptions, splitOptions } from './options';

/** Options of `run`. */
export interface RunOptions extends FollowOptions {
  /** Starts with `POST /flows/executions/start`: forms take their default values. @default false */
  skipUserInput?: boolean;
}

/** Options of `watch`. */
export type WatchOptions = FollowOptions;

/**
 * Options of `runBatch`: how many jobs run at once, failFast, the snapshot rate, and the
 * options of `run` applied to every job (`onUserInput: 'error'` suits headless batches).
 */
export interface BatchOptions extends RunOptions, BatchControlOptions {}

/** Options of `startExecution`. */
export interface StartOptions {
  /** Starts with `POST /flows/executions/start`: forms take their default values. @default false */
  skipUserInput?: boolean;
  /**
   * Whether the client handles a busy answer (429, or 503) itself: it waits its backoff or
   * `Retry-After`, looks once through the flow's listing for an execution the start may have
   * made (a gateway may answer 503 after the server made it), adopts it if found, else sends
   * the start again; a listing it cannot read ends the call with the busy error and
   * `executionMayExist: true` (docs/errors.md). The look costs at most 3 listing requests and
   * 16 execution GETs (newest first; more executions in its window end the call the same way),
   * and its window starts at the busy answer's `Date` less 30 s when the server sends one (an
   * hour back without). `false` errors at once with that
   * `SmartFlowsHttpError` (its `retryAfterMs` says when to come back; `executionMayExist: true`),
   * for a caller that backs off as a whole: the BullMQ processor's `rateLimit` pauses every
   * worker of its queue. @default true
   */
  retryBusy?: boolean;
  /**
   * Ends the call when the signal aborts: the POST is aborted and the stream errors with
   * `SmartFlowsAbortError` (with `executionMayExist`: the POST may have reached the server).
   * A signal already aborted sends nothing.
   * @default none
   */
  signal?: AbortSignal;
}

/** The connector of a shared `watch`: late subscribers get the latest event. */
const replayLatest = () => new ReplaySubject<ExecutionEvent>(1);

/**
 * Runs Smart Flows executions as RxJS Observables. Every method returns a cold Observable:
 * nothing is sent until subscription, and each subscription sends its own requests — except
 * that concurrent subscribers of `watch` for the same id share one poll loop (see {@link watch}).
 *
 * @example
 * const client = new SmartFlowsClient({ baseUrl: 'https://flows.example.com', apiKey });
 * client.run(flowId, '<Invoice><Customer>ACME</Customer></Invoice>').subscribe((event) => {
 *   if (event.type === 'progress') console.log(event.progress.percentage, event.progress.message);
 *   else console.log('done', event.execution.status);
 * });
 */
export class SmartFlowsClient {
  // Private fields: neither `console.log(client)` nor `JSON.stringify(client)` reaches them.
  // No field holds a credential for use: only the http layer's closures do (and the book of
  // secrets below, private, holds them only to hide their echoes).
  readonly #options: ClientOptionsView;
  /** The client's secrets, for the journal of a batch: what it keeps of the server's answers is redacted of them. */
  readonly #secrets: SecretBook | undefined;
  readonly #execution: ExecutionSettings;
  readonly #toXml: XmlConverter | undefined;
  readonly #trackerOptions: NormalizedTrackerOptions;
  #tracker?: ListingTracker;
  /** @internal */
  protected readonly api: SmartFlowsApi;
  private readonly nudges = new Subject<string>();
  private readonly watches = new Map<string, Observable<ExecutionEvent>>();

  /** @throws SmartFlowsInputError when an option is missing or wrong. */
  constructor(options: SmartFlowsClientOptions) {
    const { http, credentials, api, execution, view } = splitOptions(normalizeOptions(options));
    this.#options = view;
    this.#execution = execution;
    this.#toXml = view.toXml;
    this.#trackerOptions = normalizeTrackerOptions(options.tracker);
    this.#secrets = api.secrets;
    // The token function's tokens are noted for redacting echoes of them from errors.
    this.api = createApi(createSender(http, notingTokens(credentials, api.secrets)), api, http);
  }

  /**
   * The options after defaults were merged and values checked: frozen all the way down, and
   * without the credentials. Only for reading: the client runs on its own copies.
   */
  get options(): ClientOptionsView {
    return this.#options;
  }

  /** What `JSON.stringify(client)` writes: where it sends and how it times, never a credential. */
  toJSON(): Record<string, unknown> {
    const { apiRoot, endpointStyle, requestTimeoutMs, polling, retry } = this.#options;
    return { apiRoot, endpointStyle, requestTimeoutMs, polling, retry };
  }

  /** What logging the client or `util.inspect(client)` shows (Node's hook, by its registered symbol: no `node:util` here). */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect?: (value: unknown, options: object) => string): unknown {
    return typeof inspect === 'function' ? `SmartFlowsClient ${inspect(this.toJSON(), options)}` : this.toJSON();
  }

  /**
   * Starts an execution and follows it: a `progress` event for the start answer and each
   * change, then one `output` event at Success or Warning; errors with `FlowExecutionError`
   * at Error, Canceled or Interrupted.
   * @param flowId - the flow's GUID
   * @param input - an XML string, or a plain object turned into XML (see `smart-flows-rx/xml`)
   */
  run(flowId: string, input?: FlowInput, options: RunOptions = {}): Observable<ExecutionEvent> {
    return defer(() => {
      checkFollowOptions(options, true);
      guidSegment(flowId, 'flowId');
      return traceRun({ kind: 'run', flowId, tracking: options.tracking }, this.startAndFollow(flowId, input, options));
    });
  }

  /** `run` without its argument checks and its diagnostics context (a batch job has its own). */
  private startAndFollow(flowId: string, input: FlowInput | undefined, options: RunOptions): Observable<ExecutionEvent> {
    // The loop keeps its start for its whole life: `startExecution` gives a `defer` (one
    // closure), nothing is built until the loop subscribes it.
    return this.follow(this.startExecution(flowId, input, { skipUserInput: options.skipUserInput === true }), options);
  }

  /**
   * Follows an execution that already exists (after a reload, from another process).
   * Within one client, concurrent subscribers of the same id (and the same `onUserInput`,
   * `cancelOnUnsubscribe` and `downloadDocuments`) share one poll loop: the first subscription
   * starts it, a late subscriber gets the latest event at once, the loop stops when the last
   * leaves, and a subscription after the end starts afresh. `timeoutMs` counts from each
   * subscription: a subscriber's timeout ends only its own stream, and never cancels. With
   * `cancelOnUnsubscribe`, the cancel goes when the last subscriber leaves by unsubscribing.
   */
  watch(executionId: string, options: WatchOptions = {}): Observable<ExecutionEvent> {
    return this.watchTraced(executionId, options, true);
  }

  /** `watch`, with its own diagnostics context or (a journaled batch's job, which has one) without. */
  private watchTraced(executionId: string, options: WatchOptions, traced: boolean): Observable<ExecutionEvent> {
    return defer(() => {
      guidSegment(executionId, 'executionId');
      checkFollowOptions(options, false);
      const { timeoutMs, cancelOnUnsubscribe, signal, ...sharedOptions } = options;
      // A flat string (`join`): a template literal keeps its parts as a tree of strings, for as
      // long as the loop is in the map.
      const key = [
        executionId.toLowerCase(), options.onUserInput ?? 'wait', !!cancelOnUnsubscribe, !!options.downloadDocuments, options.tracking ?? 'polling',
      ].join(' ');
      // A cancel goes only when this subscriber's leaving stopped the loop, or it left before
      // joining one: no subscriber of this key runs the loop then. (A subscriber's finalize runs
      // after its source is torn down: a loop it stopped has left `watches` by then.)
      const leave = (id: string) => (this.watches.has(key) ? EMPTY : this.api.cancel(id));
      // Each subscriber's own timeout, signal and cancel-on-leave (the loop has none). A timeout never cancels.
      const limits = {
        timeoutMs: timeoutMs ?? this.#execution.polling.timeoutMs,
        cancelOnUnsubscribe: !!cancelOnUnsubscribe,
        knownId: executionId,
        secrets: this.#secrets,
      };
      const watched$ = withEngine(
        (e) =>
          // The loop is looked up (or made) only when the bounds subscribe: a signal already
          // aborted subscribes nothing, and must leave no loop in `watches`.
          defer(() => this.watches.get(key) ?? this.shareWatch(key, executionId, sharedOptions)).pipe(
            e.followerBounds({ ...limits, signal }, leave, this.#execution.scheduler),
          ),
        signal,
        executionId,
        // Left while the engine loaded (unsubscribed, or aborted after subscription): once it has
        // loaded, the same bounds (without the signal) are subscribed and left at once, so the
        // cancel asked for goes as a loaded leave's (cancelWhenLeft: bounded in time).
        cancelOnUnsubscribe
          ? () =>
              withEngine((e) => {
                NEVER.pipe(e.followerBounds(limits, leave, this.#execution.scheduler)).subscribe().unsubscribe();
                return EMPTY;
              }).subscribe({ error: noop })
          : undefined,
      );
      return traced ? traceRun({ kind: 'watch', executionId, tracking: options.tracking }, watched$) : watched$;
    });
  }

  /** The loop every subscriber of one `watch` key shares (see {@link watch}), kept in `watches` while it runs. */
  private shareWatch(key: string, executionId: string, options: Omit<WatchOptions, 'timeoutMs' | 'cancelOnUnsubscribe' | 'signal'>): Observable<ExecutionEvent> {
    const deps = this.followDeps();
    // Each reset (end, error, last subscriber gone) also forgets the loop, at once and before
    // the subscribers hear of the end: the map keeps no finished loop, and the next
    // subscription starts afresh. (A reset notifier that fires at once: no operator stays
    // subscribed for this, which thousands of watched executions would each pay for.)
    const resetAndForget = () => {
      if (this.watches.get(key) === shared) this.watches.delete(key);
      return of(true);
    };
    // Deferred: the loop keeps its first call for its whole life, and one `defer` closure weighs
    // less than the API layer's lazy-part wrapper (measured: about 200 B per idle watch).
    const shared = this.follow(defer(() => deps.getProgress(executionId, 0)), { ...options, timeoutMs: 0 }).pipe(
      share({ connector: replayLatest, resetOnError: resetAndForget, resetOnComplete: resetAndForget, resetOnRefCountZero: resetAndForget }),
    );
    this.watches.set(key, shared);
    return shared;
  }

  /**
   * Runs many flows, at most `concurrency` at once, and emits coalesced snapshots of the whole
   * batch (items in job order) until every job has ended; a failed job does not stop the others
   * unless `failFast`. Unsubscribing stops every request. Arguments are checked before any request.
   * @param jobs - `{ flowId, input?, key? }` each; `key` defaults to the job's index ('0', '1', …)
   * @example
   * client.runBatch(customers.map((c) => ({ flowId, input: { Letter: c }, key: c.id })), { concurrency: 8 })
   *   .subscribe((s) => console.log(`${s.percentage}% — ${s.succeeded} ok, ${s.failed} failed`));
   */
  runBatch(jobs: readonly BatchJob[], options: BatchOptions = {}): Observable<BatchSnapshot> {
    return defer(() => {
      if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('options must be an object');
      // The signal bounds the batch as a whole: one abort listener, however many jobs.
      const { concurrency, failFast, snapshotIntervalMs, journal, signal, ...runOptions } = options;
      checkFollowOptions(runOptions, true);
      const { skipUserInput, ...followOptions } = runOptions;
      const deps = {
        // Without a diagnostics context of their own: runBatch gives each job one (kind 'batch').
        run: (job: BatchJob) =>
          defer(() => {
            guidSegment(job.flowId, 'flowId');
            return this.startAndFollow(job.flowId, job.input, runOptions);
          }),
        scheduler: this.#execution.scheduler,
        // A journaled batch writes between the start and the following, and resumes with watch.
        journaled: {
          prepare: (job: BatchJob) => withEngine((e) => e.prepareInput(job.input, this.#toXml)),
          start: (job: BatchJob, xml: string | undefined) => this.startExecution(job.flowId, xml, { skipUserInput: skipUserInput === true }),
          follow: (first$: Observable<FlowProgress>) => this.follow(first$, followOptions),
          watch: (executionId: string) => this.watchTraced(executionId, followOptions, false),
          listExecutions: (list: ListExecutionsOptions) => this.listExecutions(list),
          getExecution: (executionId: string) => this.getExecution(executionId),
          secrets: this.#secrets,
        },
      };
      return withEngine((e) => e.runBatch(deps, jobs, { concurrency, failFast, snapshotIntervalMs, journal }).pipe(e.endOnAbort(signal)), signal);
    });
  }

  /** Starts an execution (one POST) and gives its first progress. */
  startExecution(flowId: string, input?: FlowInput, options: StartOptions = {}): Observable<FlowProgress> {
    return defer(() => {
      if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('options must be an object');
      for (const key of ['skipUserInput', 'retryBusy'] as const) {
        if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new SmartFlowsInputError(`${key} must be true or false`);
      }
      guidSegment(flowId, 'flowId');
      return withEngine((e) =>
        e.prepareInput(input, this.#toXml).pipe(
          switchMap((xml) => this.api.start(flowId, xml, options.skipUserInput === true, options.retryBusy !== false)),
          e.endOnAbort(options.signal, { idOf: progressId, starts: true }),
        ),
        options.signal,
      );
    });
  }

  /** One progress request. */
  getProgress(executionId: string): Observable<FlowProgress> {
    return this.api.progress(executionId, 0);
  }

  /** The full execution (state, output, stages, report). */
  getExecution(executionId: string): Observable<FlowExecution> {
    return this.api.execution(executionId);
  }

  /** Cancels an execution (SDK path, falling back once to the API guide's). */
  cancelExecution(executionId: string): Observable<void> {
    return this.api.cancel(executionId);
  }

  /**
   * Answers the form of an execution waiting for a person (`UserInput`, `SelectFlow`); gives the
   * new progress. Streams of this client following that execution poll again at once.
   *
   * The values are written as JSON once, when the call is subscribed (values JSON cannot write,
   * a BigInt or a cycle: `SmartFlowsInputError`, nothing sent); a resend sends exactly that body.
   * A 429 or 503 is never resent blind: one progress read decides (docs/errors.md, "A form
   * answer answered 429 or 503"). What it cannot tell: a next form identical in every field to
   * the one answered (the values are sent again, without `answerMayBeTaken`), and another answer
   * (another tab, worker or call) that moved the flow on during the wait: the call then
   * completes as if its own values had been taken, although the server may have dropped them.
   * @throws SmartFlowsError with `answerMayBeTaken: true` when the answer failed in a way that
   * does not prove the server took nothing (a 500, a reset after sending, a busy answer the read
   * could not settle)
   */
  submitUserInput(executionId: string, values: Record<string, unknown>): Observable<FlowProgress> {
    return defer(() => {
      if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new SmartFlowsInputError('values must be an object of form keys to values');
      return this.api.submitUserInput(executionId, values).pipe(tap(() => this.nudges.next(executionId.toLowerCase())));
    });
  }

  /**
   * A document's metadata (`GET /documents/{id}`: displayName, contentType, expiration…).
   * @param documentId - an id from {@link findDocuments}
   */
  getDocument(documentId: string): Observable<DocumentMetadata> {
    return this.api.getDocument(documentId);
  }

  /**
   * Downloads a document's content, with its file name (from Content-Disposition, else the
   * metadata's displayName) and content type. Works with any WHATWG fetch. `requestTimeoutMs`
   * bounds the wait for the headers and each stall of the body, not a body that keeps arriving;
   * content past `maxBytes` (default: the client's `maxDownloadBytes`, 100 MB) is refused.
   * @param documentId - an id from {@link findDocuments}
   * @param options - `maxBytes`, and `as`: `'bytes'` (default, a `Uint8Array`), `'blob'` or `'stream'`
   * @example
   * client.downloadDocument(ref.id).subscribe((doc) => writeFileSync(doc.fileName, doc.data));
   * client.downloadDocument(ref.id, { as: 'stream' }).subscribe((doc) => Readable.fromWeb(doc.data).pipe(createWriteStream(doc.fileName)));
   */
  downloadDocument<As extends DownloadAs = 'bytes'>(documentId: string, options?: DownloadOptions<As>): Observable<DownloadedDocument<DocumentDataTypes[As]>> {
    const signal = options?.signal;
    if (signal === undefined) return this.api.downloadDocument(documentId, undefined, options);
    return withEngine((e) => this.api.downloadDocument(documentId, undefined, options).pipe(e.endOnAbort(signal)), signal);
  }

  /**
   * One page of executions, of one flow (`flowId`) or of all; newest first by default.
   * @throws SmartFlowsInputError (as the stream's error, before any request) for a bad page, size or flowId
   * @example
   * client.listExecutions({ flowId, page: 0, size: 50 }).subscribe((p) => console.log(p.items.length, p.totalItems));
   */
  listExecutions(options: ListExecutionsOptions = {}): Observable<ExecutionPage> {
    return this.api.listExecutions(options);
  }

  /**
   * Logs in (`POST /authenticate/login`, sent without this client's credentials) and gives the
   * JWT from `tokens[0].token`, to send as `bearerToken`. See {@link SmartFlowsClient.withLogin}
   * for a client that logs in (and again when the token expires) by itself.
   */
  login(credentials: LoginCredentials): Observable<string> {
    return this.api.login(credentials).pipe(map((t) => t.token));
  }

  /**
   * `text` with every echo of this client's secrets (its API key, its bearer token, the latest
   * tokens its token function gave) replaced by `[redacted]`: as is, percent-, JSON-, HTML-,
   * base64- or hex-encoded, upper- or lower-cased, or cut (a piece of at least 8 characters at
   * a secret's start or end, or of 12 from its middle). The rule the client's errors follow; for
   * server text you print, log or store yourself (a progress `message`, a document's name), as
   * the CLI and the BullMQ processor do. The events of `run`, `watch` and `runBatch` and the
   * answers of the single calls give the server's text unchanged: it is your data.
   *
   * Synchronous. The redaction loads with the first part that reads an answer (the engine at a
   * first `run`, or a listing, document or login call); before that, no server text has been
   * read, and any text but `''` is given back as `[redacted]` whole, never with a secret in it.
   * A text is given back as it is when the client knows no secret yet (a token function not
   * called yet).
   * @param text - server text (or any text) about to leave the program
   * @returns the text, redacted; the same string when it holds no secret
   * @example
   * client.run(flowId, xml).subscribe((e) => console.log(client.redactText(e.progress.message ?? '')));
   */
  redactText(text: string): string {
    const secrets = this.#secrets;
    if (typeof text !== 'string' || text === '' || !secrets || secrets.list().length === 0) return text;
    const redact = loadedRedaction()?.(secrets);
    return redact ? redact(text) : REDACTED;
  }

  /**
   * Creates a client that logs in with `credentials` before its first request, keeps the
   * token, and logs in again when it nears expiry or the server answers 401.
   * @throws SmartFlowsInputError for bad options or credentials (nothing is sent yet)
   * @example
   * const client = SmartFlowsClient.withLogin({ baseUrl }, { username: 'ada', password });
   */
  static withLogin(options: Omit<SmartFlowsClientOptions, 'bearerToken'>, credentials: LoginCredentials): SmartFlowsClient {
    checkCredentials(credentials);
    if (typeof options === 'object' && options !== null && 'bearerToken' in options) {
      throw new SmartFlowsInputError('withLogin gets its bearer token by logging in: leave bearerToken out');
    }
    // The token function runs only once a request is made, after `client` exists; the login
    // part (its token keeping) is loaded then.
    let source: LoginTokenSource | undefined;
    const token: LoginTokenSource = (context) =>
      withLoginPart((l) => (source ??= l.loginTokenSource(() => client.api.login(credentials), { now: () => client.#execution.scheduler.now() }))(context));
    const client: SmartFlowsClient = new this({ ...options, bearerToken: token });
    return client;
  }

  /** Follows an execution from its first progress: its own polling, or the listing tracker (`tracking: 'listing'`). */
  private follow(first$: Observable<FlowProgress>, options: FollowOptions): Observable<ExecutionEvent> {
    // The signal ends the wait for the chunk too (the loop observes it once loaded).
    if (options.tracking !== 'listing') return withEngine((e) => e.followExecution(this.followDeps(), first$, options), options.signal);
    // The tracker is its own chunk (few apps use it). One per client, made on first use: every
    // execution it follows shares its cycles.
    return withTracker((t) => {
      const deps = this.followDeps();
      const tracker = (this.#tracker ??= new t.ListingTracker({ api: this.api, scheduler: deps.scheduler, mayPoll: deps.mayPoll }, this.#trackerOptions));
      return t.trackExecution(tracker, deps, first$, options);
    }, options.signal);
  }

  private deps?: FollowDeps;

  /** @internal What the execution layer needs from this client: built once, shared by every execution. */
  protected followDeps(): FollowDeps {
    return (this.deps ??= {
      getProgress: (id, waitSeconds) => this.api.progress(id, waitSeconds),
      polling: this.#execution.polling,
      scheduler: this.#execution.scheduler,
      nudges: (id) => this.nudges.pipe(filter((n) => n === id.toLowerCase())),
      api: this.api,
      // Browser manners: no polling while the page is hidden or offline (undefined in Node);
      // one activity stream for every execution of this client, and resumed polls spread out.
      mayPoll: this.#execution.polling.pauseWhenHidden ? pageActivity() : undefined,
      // One server, one behaviour: what a loop learns of its long polls, every loop uses.
      hold: createHoldMemory(),
      ...(this.#secrets ? { secrets: this.#secrets } : {}),
      resumeSpreadMs: RESUME_SPREAD_MS,
      downloadAll: (progress, execution) => withDocuments((d) => d.downloadAll(this.api.downloadDocument, progress, execution)),
    });
  }
}

function checkFollowOptions(options: RunOptions, isRun: boolean): void {
  if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('options must be an object');
  const { onUserInput, timeoutMs } = options;
  if (onUserInput !== undefined && onUserInput !== 'wait' && onUserInput !== 'error') throw new SmartFlowsInputError(`onUserInput must be 'wait' or 'error'`);
  if (options.tracking !== undefined && options.tracking !== 'polling' && options.tracking !== 'listing') throw new SmartFlowsInputError(`tracking must be 'polling' or 'listing'`);
  for (const key of ['cancelOnUnsubscribe', 'downloadDocuments', ...(isRun ? ['skipUserInput'] : [])] as const) {
    const v = options[key as keyof RunOptions];
    if (v !== undefined && typeof v !== 'boolean') throw new SmartFlowsInputError(`${key} must be true or false`);
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || !Number.isFinite(timeoutMs))) {
    throw new SmartFlowsInputError('timeoutMs must be a number ≥ 0');
  }
}

const progressId = (progress: FlowProgress) => progress.id;
