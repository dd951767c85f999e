import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { SmartFlowsClient, type SmartFlowsClientOptions } from '../../lib/index';
import { DIAGNOSTICS_CHANNELS } from '../../lib/diagnostics/types';

/**
 * A scripted Smart Flows server as a fetch (answers after a promise turn, like a real one):
 * each execution reports Running for `steps` polls, then `outcome`. `faults` answers the
 * first requests whose path ends so with that status (and a Retry-After of 0 s).
 */
export function flowServer({ steps = 2, outcome = 'Success', faults = {} as Record<string, number[]> } = {}) {
  let started = 0;
  const polls = new Map<string, number>();
  const requests: { method: string; path: string }[] = [];
  const fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    await Promise.resolve();
    const { pathname } = new URL(url);
    const method = init.method ?? 'GET';
    requests.push({ method, path: pathname });
    for (const [suffix, statuses] of Object.entries(faults)) {
      if (pathname.endsWith(suffix) && statuses.length) return new Response('busy', { status: statuses.shift()!, headers: { 'retry-after': '0' } });
    }
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    if (method === 'POST') {
      const id = `6de9206a-de42-4182-8f86-${String(++started).padStart(12, '0')}`;
      return json({ id, percentage: 0, message: 'queued', status: 'Queued' });
    }
    const id = /executions\/([0-9a-f-]{36})/.exec(pathname)![1]!;
    if (!pathname.endsWith('/progress')) return json({ id, status: outcome });
    const n = (polls.get(id) ?? 0) + 1;
    polls.set(id, n);
    return json(n < steps ? { id, percentage: n * 10, message: `step ${n}`, status: 'Running' } : { id, percentage: 100, message: 'done', status: outcome });
  };
  return { fetch, requests };
}

export const FLOW = '85f8fe94-6f61-4216-af6c-4889e2547b72';

export const fastClient = (fetch: SmartFlowsClientOptions['fetch'], more: Partial<SmartFlowsClientOptions> = {}) =>
  new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch, polling: { intervalMs: 1, maxIntervalMs: 2, waitSeconds: 0 }, retry: { maxRetries: 2, delayMs: 1, maxDelayMs: 5 }, ...more });

type Phase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

/** Records what every channel publishes (tracing channels as `[phase, snapshot of the context]`), until `stop`. */
export function recordChannels() {
  const seen: { channel: string; phase?: Phase; message: Record<string, unknown>; context?: object }[] = [];
  const stops: (() => void)[] = [];
  for (const name of [DIAGNOSTICS_CHANNELS.run, DIAGNOSTICS_CHANNELS.request]) {
    const handlers = Object.fromEntries((['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as Phase[]).map((phase) => [
      phase, (context: object) => void seen.push({ channel: name, phase, message: { ...context }, context }),
    ])) as Record<Phase, (context: object) => void>;
    tracingChannel(name).subscribe(handlers);
    stops.push(() => tracingChannel(name).unsubscribe(handlers));
  }
  for (const name of [DIAGNOSTICS_CHANNELS.retry, DIAGNOSTICS_CHANNELS.progress, DIAGNOSTICS_CHANNELS.tracker, DIAGNOSTICS_CHANNELS.journal]) {
    const on = (message: unknown) => seen.push({ channel: name, message: message as Record<string, unknown> });
    subscribe(name, on);
    stops.push(() => unsubscribe(name, on));
  }
  return { seen, stop: () => stops.forEach((s) => s()), of: (channel: string, phase?: Phase) => seen.filter((s) => s.channel === channel && (phase === undefined || s.phase === phase)).map((s) => s.message) };
}
