import type { ProgressMessage, RequestTraceContext, RetryMessage, RunTraceContext, JournalMessage, TrackerMessage } from './types';
import { DIAGNOSTICS_CHANNELS } from './types';

// The library's diagnostics channels (names and messages: types.ts). Node's
// `diagnostics_channel` is reached through `process.getBuiltinModule` (Node ≥ 20.16, Deno,
// Bun), not an import: a runtime without it gets the silent channels below, and no bundler
// meets a `node:` import. The browser build swaps this module for channels.browser.ts
// (rollup.config.mjs), which holds only the silent channels.

/** What the library uses of a `diagnostics_channel` Channel. */
export interface ChannelLike<M> {
  readonly hasSubscribers: boolean;
  publish(message: M): void;
  subscribe(onMessage: (message: M, name: string | symbol) => void): void;
  unsubscribe(onMessage: (message: M, name: string | symbol) => void): unknown;
}

/** The handlers of a TracingChannel's subscription (each optional). */
export type TracingHandlers<C> = Partial<Record<'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error', (context: C) => void>>;

/** What the library uses of a `diagnostics_channel` TracingChannel. */
export interface TracingChannelLike<C extends object> {
  readonly hasSubscribers: boolean;
  start: ChannelLike<C> & { runStores<T>(context: C, fn: () => T): T };
  end: ChannelLike<C>;
  asyncStart: ChannelLike<C>;
  asyncEnd: ChannelLike<C>;
  error: ChannelLike<C>;
  subscribe(handlers: TracingHandlers<C>): void;
  unsubscribe(handlers: TracingHandlers<C>): unknown;
}

interface DiagnosticsChannelModule {
  channel(name: string): unknown;
  tracingChannel(name: string): unknown;
}

const builtin = (name: string): unknown => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(name);
  } catch {
    return undefined;
  }
};

const dc = builtin('node:diagnostics_channel') as DiagnosticsChannelModule | undefined;

const silent = { hasSubscribers: false, publish: () => undefined, subscribe: () => undefined, unsubscribe: () => false, runStores: <T>(_context: unknown, fn: () => T): T => fn() };
const silentTracing = { ...silent, start: silent, end: silent, asyncStart: silent, asyncEnd: silent, error: silent };

const plain = <M>(name: string): ChannelLike<M> => (dc ? (dc.channel(name) as ChannelLike<M>) : silent);
// (Node's TracingChannel has `hasSubscribers` from 20.13 and 22.0: the engines field asks for more.)
const tracing = <C extends object>(name: string): TracingChannelLike<C> => (dc ? (dc.tracingChannel(name) as TracingChannelLike<C>) : silentTracing);

export const runChannel = tracing<RunTraceContext>(DIAGNOSTICS_CHANNELS.run);
export const requestChannel = tracing<RequestTraceContext>(DIAGNOSTICS_CHANNELS.request);
export const retryChannel = plain<RetryMessage>(DIAGNOSTICS_CHANNELS.retry);
export const progressChannel = plain<ProgressMessage>(DIAGNOSTICS_CHANNELS.progress);
export const trackerChannel = plain<TrackerMessage>(DIAGNOSTICS_CHANNELS.tracker);
export const journalChannel = plain<JournalMessage>(DIAGNOSTICS_CHANNELS.journal);

/** Runs a function in the async context captured when it was made. */
export type ContextRunner = <T>(fn: () => T) => T;
const asyncHooks = builtin('node:async_hooks') as { AsyncLocalStorage?: { snapshot?: () => ContextRunner } } | undefined;
const here: ContextRunner = (fn) => fn();

/**
 * The async context of now (every `AsyncLocalStorage` store), to deliver a traced run's events
 * in: its subscriber's next steps (the next job of a batch, subscribed when one ends) must not
 * run inside the stores the run entered for its own requests.
 */
export const captureContext = (): ContextRunner => asyncHooks?.AsyncLocalStorage?.snapshot?.() ?? here;

// `NODE_DEBUG=smart-flows` (as undici does with `util.debuglog`): one line per request, retry
// and fallback on stderr (none while the CLI's `--verbose` prints them). The printer is loaded only then.
const debuglog = (builtin('node:util') as { debuglog?: (section: string) => ((...args: unknown[]) => void) & { enabled?: boolean } } | undefined)?.debuglog?.('smart-flows');
// Once per process: the core, the CLI and the BullMQ entry each bundle this module.
const printing = Symbol.for('smart-flows-rx.debuglog');
if (debuglog?.enabled && !(globalThis as Record<symbol, unknown>)[printing]) {
  (globalThis as Record<symbol, unknown>)[printing] = true;
  void import('./printer').then(({ printDiagnostics }) => printDiagnostics((line) => debuglog(line), 'debuglog'));
}
