import type { ChannelLike, ContextRunner, TracingChannelLike } from './channels';
import type { JournalMessage, ProgressMessage, RequestTraceContext, RetryMessage, RunTraceContext, TrackerMessage } from './types';

// The browser build's channels (rollup.config.mjs swaps channels.ts for this file): no
// `diagnostics_channel` there, so nothing is ever published and nothing is built for it.

const silent = { hasSubscribers: false, publish: () => undefined, subscribe: () => undefined, unsubscribe: () => false, runStores: <T>(_context: unknown, fn: () => T): T => fn() };
const silentTracing = { ...silent, start: silent, end: silent, asyncStart: silent, asyncEnd: silent, error: silent };

export const runChannel: TracingChannelLike<RunTraceContext> = silentTracing;
export const requestChannel: TracingChannelLike<RequestTraceContext> = silentTracing;
export const retryChannel: ChannelLike<RetryMessage> = silent;
export const progressChannel: ChannelLike<ProgressMessage> = silent;
export const trackerChannel: ChannelLike<TrackerMessage> = silent;
export const journalChannel: ChannelLike<JournalMessage> = silent;

/** No async context to keep in a browser: runs `fn` as it is. */
export const captureContext = (): ContextRunner => (fn) => fn();
