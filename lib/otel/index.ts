/**
 * `smart-flows-rx/otel`: OpenTelemetry spans and metrics from the library's diagnostics
 * channels ({@link DIAGNOSTICS_CHANNELS}). Node only; needs `@opentelemetry/api` 1.x (an
 * optional peer) and an SDK the app sets up.
 *
 * @module smart-flows-rx/otel
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { channel, tracingChannel } from 'node:diagnostics_channel';
import {
  type Attributes, type Context, context, type Link, type MeterProvider, metrics, type Span, SpanKind, SpanStatusCode, trace, type TracerProvider,
} from '@opentelemetry/api';
import { DIAGNOSTICS_CHANNELS, type RequestTraceContext, type RetryMessage, type RunTraceContext } from 'smart-flows-rx';

/** Options of {@link instrumentSmartFlows}. */
export interface SmartFlowsInstrumentationOptions {
  /** Where the spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where the metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /**
   * A client span per HTTP attempt (`GET /flows/executions/{id}/progress`), under its run's
   * span. Off by default: the standard HTTP instrumentations (undici, fetch) already see the
   * requests, and nest them under the run's span; turn it on where they cannot (a custom fetch).
   * @default false
   */
  httpSpans?: boolean;
}

/** What this instrumentation calls itself (the tracer's and meter's name). */
export const INSTRUMENTATION_NAME = 'smart-flows-rx';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C `traceparent` of a span. */
const traceparentOf = (span: Span): string => {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
};

/** The link to the span a `traceparent` names (a resumed run's start), if it is one. */
const linkTo = (traceparent: string | undefined): Link[] => {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  return m ? [{ context: { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true }, attributes: { 'smart_flows.link': 'resumed' } }] : [];
};

interface RunState {
  span: Span;
  context: Context;
  startedAt: number;
  attributes: Attributes;
}

/**
 * Turns the library's diagnostics channels into OpenTelemetry spans and metrics, following its
 * semantic conventions: a span per run, `watch` subscription, batch job and BullMQ job (named
 * `smart-flows run`, `… watch`, `… batch`, `… job`; attributes `smart_flows.flow.id`,
 * `smart_flows.execution.id`, `smart_flows.execution.status`, `error.type`), active while the
 * run's requests are sent (so HTTP spans nest under it); HTTP client spans when `httpSpans`;
 * the metrics `smart_flows.executions.active` (up-down counter), `smart_flows.execution.duration`
 * (histogram, s), `smart_flows.requests` (counter by `url.template` and `outcome`) and
 * `smart_flows.retries` (counter). A resumed run (journal resume, BullMQ job handed out again)
 * links to the span of its start. Call once, after the SDK is set up. Two instances (two
 * libraries each calling it) run side by side: stopping one leaves the other's spans and their
 * nesting as they were.
 * @returns a function that stops it (calling it again does nothing)
 * @example
 * const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
 * provider.register();
 * instrumentSmartFlows();
 */
export function instrumentSmartFlows(options: SmartFlowsInstrumentationOptions = {}): () => void {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
  const active = meter.createUpDownCounter('smart_flows.executions.active', { description: 'Runs, watches and jobs being followed', unit: '{execution}' });
  const duration = meter.createHistogram('smart_flows.execution.duration', { description: 'From subscription to the end of a run, watch or job', unit: 's' });
  const requests = meter.createCounter('smart_flows.requests', { description: 'HTTP attempts to the Smart Flows API', unit: '{request}' });
  const retries = meter.createCounter('smart_flows.retries', { description: 'HTTP requests sent again after a failure', unit: '{retry}' });

  const runs = new WeakMap<RunTraceContext, RunState>();
  // The run's span for its requests, whatever context manager the app has.
  const current = new AsyncLocalStorage<RunState>();
  const stateOf = (run: RunTraceContext): RunState => {
    let state = runs.get(run);
    if (state) return state;
    const attributes: Attributes = { 'smart_flows.kind': run.kind };
    const spanAttributes: Attributes = {
      ...attributes,
      'smart_flows.tracking': run.tracking,
      ...(run.flowId ? { 'smart_flows.flow.id': run.flowId } : {}),
      ...(run.executionId ? { 'smart_flows.execution.id': run.executionId } : {}),
      ...(run.key !== undefined ? { 'smart_flows.job.key': run.key } : {}),
    };
    const parent = context.active();
    const span = tracer.startSpan(`smart-flows ${run.kind}`, { kind: SpanKind.INTERNAL, attributes: spanAttributes, links: linkTo(run.resumedFrom) }, parent);
    run.traceparent = traceparentOf(span);
    state = { span, context: trace.setSpan(parent, span), startedAt: performance.now(), attributes };
    runs.set(run, state);
    active.add(1, attributes);
    return state;
  };

  const none = () => undefined;
  const runChannel = tracingChannel<unknown, RunTraceContext>(DIAGNOSTICS_CHANNELS.run);
  runChannel.start.bindStore(current, stateOf);
  // The app's AsyncLocalStorage context manager (the SDK's default in Node): its store is bound
  // too, so `context.active()` is the run's span in the run's requests (HTTP instrumentations).
  const managerStore = contextManagerStore();
  const unbindManager = managerStore ? bindShared(runChannel.start, managerStore, (run: RunTraceContext) => stateOf(run).context) : none;
  const runHandlers = {
    start: (run: RunTraceContext) => void stateOf(run),
    end: none,
    asyncStart: none,
    error: none,
    asyncEnd: (run: RunTraceContext) => {
      const state = runs.get(run);
      if (!state) return;
      runs.delete(run);
      const { span } = state;
      const errorType = run.error === undefined ? undefined : errorTypeOf(run.error);
      if (run.executionId) span.setAttribute('smart_flows.execution.id', run.executionId);
      if (run.status) span.setAttribute('smart_flows.execution.status', run.status);
      if (run.unsubscribed) span.setAttribute('smart_flows.unsubscribed', true);
      if (errorType) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (run.error as Error)?.message });
      }
      span.end();
      active.add(-1, state.attributes);
      duration.record((performance.now() - state.startedAt) / 1000, {
        ...state.attributes,
        ...(run.status ? { 'smart_flows.execution.status': run.status } : {}),
        ...(errorType ? { 'error.type': errorType } : {}),
      });
    },
  };
  runChannel.subscribe(runHandlers);

  const requestChannel = tracingChannel<unknown, RequestTraceContext>(DIAGNOSTICS_CHANNELS.request);
  const requestSpans = new WeakMap<RequestTraceContext, Span>();
  const requestHandlers = {
    start: (request: RequestTraceContext) => {
      if (!options.httpSpans) return;
      const parent = current.getStore()?.context ?? context.active();
      const span = tracer.startSpan(`${request.method} ${request.route}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': request.method,
          'url.template': request.route,
          ...(request.attempt > 1 ? { 'http.request.resend_count': request.attempt - 1 } : {}),
          ...(request.holdSeconds ? { 'smart_flows.hold_seconds': request.holdSeconds } : {}),
        },
      }, parent);
      requestSpans.set(request, span);
    },
    end: none,
    asyncStart: none,
    error: none,
    asyncEnd: (request: RequestTraceContext) => {
      const outcome = request.aborted ? 'aborted' : request.errorType ? 'error' : 'ok';
      requests.add(1, {
        'http.request.method': request.method,
        'url.template': request.route,
        'smart_flows.outcome': outcome,
        ...(request.status !== undefined ? { 'http.response.status_code': request.status } : {}),
        ...(request.errorType ? { 'error.type': request.errorType } : {}),
      });
      const span = requestSpans.get(request);
      if (!span) return;
      requestSpans.delete(request);
      if (request.status !== undefined) span.setAttribute('http.response.status_code', request.status);
      if (request.errorType) {
        span.setAttribute('error.type', request.errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
  requestChannel.subscribe(requestHandlers);

  const onRetry = (message: unknown) => {
    const m = message as RetryMessage;
    retries.add(1, { 'http.request.method': m.method, 'url.template': m.route, 'error.type': m.errorType });
    const attributes = { 'smart_flows.retry.attempt': m.attempt, 'smart_flows.retry.delay_ms': m.delayMs, 'error.type': m.errorType, ...(m.retryAfterMs !== undefined ? { 'smart_flows.retry.retry_after_ms': m.retryAfterMs } : {}) };
    current.getStore()?.span.addEvent('smart_flows.retry', attributes);
  };
  channel(DIAGNOSTICS_CHANNELS.retry).subscribe(onRetry);

  return () => {
    runChannel.unsubscribe(runHandlers);
    runChannel.start.unbindStore(current);
    unbindManager();
    requestChannel.unsubscribe(requestHandlers);
    channel(DIAGNOSTICS_CHANNELS.retry).unsubscribe(onRetry);
  };
}

/** A channel's `bindStore`/`unbindStore` (the run channel's `start`). */
interface StoreChannel {
  bindStore<T>(store: AsyncLocalStorage<T>, transform: (message: RunTraceContext) => T): void;
  unbindStore(store: AsyncLocalStorage<unknown>): boolean;
}

/**
 * The transforms the live instances bound for each shared store (the context manager's), the
 * latest last. Per process, by a registered symbol: the ESM and the CommonJS build of this
 * entry, both loaded, bind the same store on the same channel.
 */
const SHARED_BINDINGS = Symbol.for('smart-flows-rx.otel.sharedBindings');
type SharedBindings = WeakMap<AsyncLocalStorage<Context>, ((run: RunTraceContext) => Context)[]>;
const sharedBindings = (): SharedBindings => ((globalThis as Record<symbol, SharedBindings | undefined>)[SHARED_BINDINGS] ??= new WeakMap());

/**
 * Binds a store that other instances may bind too (the app's context manager's): a channel
 * holds one transform per store (a second `bindStore` replaces the first, and `unbindStore`
 * removes it, whoever bound it), so the latest live instance's transform is the bound one;
 * the returned function takes this one out and binds the one before it again, or unbinds the
 * store when none is left. Calling it again does nothing.
 */
function bindShared(channel: StoreChannel, store: AsyncLocalStorage<Context>, transform: (run: RunTraceContext) => Context): () => void {
  const all = sharedBindings();
  const live = all.get(store) ?? [];
  all.set(store, live);
  live.push(transform);
  channel.bindStore(store, transform);
  return () => {
    const at = live.indexOf(transform);
    if (at === -1) return;
    live.splice(at, 1);
    const latest = live.at(-1);
    if (latest) channel.bindStore(store, latest);
    else {
      channel.unbindStore(store);
      all.delete(store);
    }
  };
}

/** An error's class name, for `error.type`. */
function errorTypeOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : typeof error === 'object' ? 'Error' : typeof error;
}

/**
 * The `AsyncLocalStorage` of the global context manager when it is `@opentelemetry/context-async-hooks`'s
 * AsyncLocalStorageContextManager (the Node SDK's default). Reached through its internals
 * (`_getContextManager`, `_asyncLocalStorage`): the API has no public way to enter a context
 * around code it does not call. Undefined for any other manager: then only this
 * instrumentation's own spans nest under the run's.
 */
function contextManagerStore(): AsyncLocalStorage<Context> | undefined {
  const manager = (context as unknown as { _getContextManager?: () => unknown })._getContextManager?.();
  const store = (manager as { _asyncLocalStorage?: unknown } | undefined)?._asyncLocalStorage;
  return store instanceof AsyncLocalStorage ? (store as AsyncLocalStorage<Context>) : undefined;
}
