import { DIAGNOSTICS_CHANNELS, type RequestTraceContext, type RetryMessage, type TrackerMessage } from './types';

// The text lines of `smart-flows … --verbose` and `NODE_DEBUG=smart-flows`: one per request,
// retry and tracker fallback, from the diagnostics channels. The messages hold no credential
// (the key, a token are never in them), so nothing here has anything to redact. Node only: it
// subscribes through `diagnostics_channel` by the channels' names (the CLI bundles this module,
// and its channels are the core's: one registry per process).

/** One finished request as a line: `GET /flows/executions/{id}/progress 200 41 ms`. */
export function requestLine(context: RequestTraceContext, ms: number): string {
  const outcome = context.aborted ? 'abandoned' : context.errorType ? `failed: ${context.errorType}${context.status !== undefined ? ` ${context.status}` : ''}` : String(context.status ?? '');
  const hold = context.holdSeconds ? `, hold ${context.holdSeconds} s` : '';
  const attempt = context.attempt > 1 ? `, attempt ${context.attempt}` : '';
  return `${context.method} ${context.route} ${outcome} ${Math.round(ms)} ms${hold}${attempt}`;
}

/** A retry as a line: `retry GET /flows/executions/{id}/progress in 250 ms after SmartFlowsHttpError 503 (Retry-After 200 ms)`. */
export function retryLine(m: RetryMessage): string {
  const status = m.status !== undefined ? ` ${m.status}` : '';
  const after = m.retryAfterMs !== undefined ? ` (Retry-After ${m.retryAfterMs} ms)` : '';
  return `retry ${m.method} ${m.route} in ${m.delayMs} ms after ${m.errorType}${status}, attempt ${m.attempt} failed${after}`;
}

/** A tracker event worth a line (not its cycles): fallbacks, feed and sweep changes. */
export function trackerLine(m: TrackerMessage): string | undefined {
  switch (m.type) {
    case 'fallback':
      return `tracker: back to polling (${m.scope === 'tracker' ? 'every execution' : `execution ${m.executionId ?? ''}`.trim()}): ${m.reason}`;
    case 'feed':
      return `tracker: listing with GET /flows/executions from now on`;
    case 'sweep':
      return `tracker: quiet executions checked by their own progress requests from now on`;
    default:
      return undefined;
  }
}

/**
 * How many `--verbose` printers run in this process. While one does, the `NODE_DEBUG` printer
 * writes nothing: with both, each line is printed once, by `--verbose` (through the CLI's
 * terminal, which keeps its live line whole). Per process, by a registered symbol: the core
 * (which starts the `NODE_DEBUG` printer) and the CLI each bundle this module.
 */
const VERBOSE_PRINTERS = Symbol.for('smart-flows-rx.verbosePrinters');
const counts = globalThis as Record<symbol, number | undefined>;

/**
 * Writes a line per request, retry and tracker fallback to `write` until the returned
 * function is called.
 * @param kind - `verbose` (the CLI's `--verbose`) or `debuglog` (`NODE_DEBUG=smart-flows`),
 *   which stays quiet while a `verbose` one prints
 */
export function printDiagnostics(print: (line: string) => void, kind: 'verbose' | 'debuglog' = 'verbose'): () => void {
  const write = kind === 'verbose' ? print : (line: string) => void (counts[VERBOSE_PRINTERS] ? undefined : print(line));
  if (kind === 'verbose') counts[VERBOSE_PRINTERS] = (counts[VERBOSE_PRINTERS] ?? 0) + 1;
  let stopped = false;
  const startedAt = new WeakMap<object, number>();
  // Every handler given: Node 20's types ask for all five.
  const none = () => undefined;
  const handlers = {
    end: none,
    asyncStart: none,
    error: none,
    start: (c: RequestTraceContext) => void startedAt.set(c, performance.now()),
    asyncEnd: (c: RequestTraceContext) => write(requestLine(c, performance.now() - (startedAt.get(c) ?? performance.now()))),
  };
  const onRetry = (m: RetryMessage) => write(retryLine(m));
  const onTracker = (m: TrackerMessage) => {
    const line = trackerLine(m);
    if (line) write(line);
  };
  const dc = (process as unknown as { getBuiltinModule(id: string): typeof import('node:diagnostics_channel') }).getBuiltinModule('node:diagnostics_channel');
  const request = dc.tracingChannel<unknown, RequestTraceContext>(DIAGNOSTICS_CHANNELS.request);
  const plain = [[DIAGNOSTICS_CHANNELS.retry, onRetry], [DIAGNOSTICS_CHANNELS.tracker, onTracker]] as [string, (m: never) => void][];
  request.subscribe(handlers);
  for (const [name, on] of plain) dc.subscribe(name, on as (m: unknown) => void);
  return () => {
    if (stopped) return;
    stopped = true;
    if (kind === 'verbose') counts[VERBOSE_PRINTERS] = (counts[VERBOSE_PRINTERS] ?? 1) - 1;
    request.unsubscribe(handlers);
    for (const [name, on] of plain) dc.unsubscribe(name, on as (m: unknown) => void);
  };
}
