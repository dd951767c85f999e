import { describe, expect, it } from '@jest/globals';
import { lastValueFrom, tap } from 'rxjs';
import type { ExecutionEvent } from '../../lib/api/types';
import { defaultFetch } from '../../lib/http/defaultFetch';
import { REPROBE_AFTER_MS } from '../../lib/execution/holdPolicy';
import type { FetchLike } from '../../lib/options';
import type { FlowScript, ProgressHoldOptions } from 'smart-flows-rx/testing';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();

/** Queued five minutes, then three stages: the case where a held poll used to time out. */
const queuedFlow: FlowScript = {
  id: '5f1c0000-0000-4000-8000-000000000001',
  displayName: 'Queued for five minutes',
  queueMs: 300_000,
  stages: [
    { message: 'Merge data', durationMs: 20_000, percentage: 0 },
    { message: 'Render', durationMs: 45_000, percentage: 40 },
    { message: 'Store', durationMs: 5_000, percentage: 90 },
  ],
  outcome: 'Warning',
};
const FLOW_MS = 300_000 + 20_000 + 45_000 + 5_000;
/** Six minutes of virtual time in 1 s steps take a few seconds of real time; more on a busy machine. */
const SLOW = 120_000;

/** The default polling options, spelled out: the helper's client polls faster by default. */
const DEFAULT_POLLING = { intervalMs: 900, maxIntervalMs: 3_000, idleIntervalMs: 5_000 };

const MODES: [string, ProgressHoldOptions][] = [
  ["holds only when asked ('asked', today's simulator)", { mode: 'asked' }],
  ["holds a call without timeout 30 s; -1 and 0 answer at once ('default')", { mode: 'default', defaultSeconds: 30 }],
  ["holds a call without timeout 30 s; -1 and 0 mean that default too", { mode: 'default', defaultSeconds: 30, minusOne: 'default', zero: 'default' }],
  ['holds a call without timeout 30 s; -1 and 0 mean until a change', { mode: 'default', defaultSeconds: 30, minusOne: 'forever', zero: 'forever' }],
  ["ignores timeout and holds every call 30 s ('ignore')", { mode: 'ignore', defaultSeconds: 30 }],
  ["ignores timeout and never holds ('ignore', 0 s)", { mode: 'ignore', defaultSeconds: 0 }],
];

/** Runs the queued flow with a client of `polling` against a simulator with `progressHold`; 1 s steps of virtual time. */
async function runAgainst(progressHold: ProgressHoldOptions, polling: Record<string, unknown>) {
  // 400 ms on the way (faults on the progress route only): a hold answered at its very end
  // reaches the client after it, as over a real network.
  const sim = start({ flows: [queuedFlow], progressHold, faults: { latencyMs: 400 } });
  // What the client itself got for each progress request (the default fetch, watched): its
  // status, or the name of the error that ended it (an abort, a network error).
  const answered: (number | string)[] = [];
  const fetch: FetchLike = (input, init) => {
    const answer = defaultFetch(input, init);
    if (!input.endsWith('/progress') && !input.includes('/progress?')) return answer;
    return answer.then(
      (response) => (answered.push(response.status), response),
      (e: unknown) => {
        answered.push(e instanceof Error ? e.name : String(e));
        throw e;
      },
    );
  };
  const client = sim.client({ fetch, polling: { ...DEFAULT_POLLING, ...polling } });
  const events: ExecutionEvent[] = [];
  let error: unknown;
  let done = false;
  lastValueFrom(client.run(queuedFlow.id, '<Letter/>').pipe(tap((e) => events.push(e)))).then(
    () => (done = true),
    (e: unknown) => ((error = e), (done = true)),
  );
  for (let waited = 0; !done && waited <= FLOW_MS + 120_000; waited += 1_000) await sim.advance(1_000, 500);
  const progress = sim.simulator.requests.filter((r) => r.route === 'progress');
  return { sim, events, error, done, progress, answered };
}

describe('the default client against every way a server may treat the progress call’s timeout', () => {
  describe.each<[string, Record<string, unknown>]>([
    ["Node's default (waitSeconds 'auto')", {}],
    ["the browser's default (waitSeconds 0)", { waitSeconds: 0 }],
  ])('%s', (_client, polling) => {
    it.each(MODES)('server %s: five minutes queued, no timeout, no retry, the true outcome', async (_mode, progressHold) => {
      const { sim, events, error, done, progress, answered } = await runAgainst(progressHold, polling);
      expect(error).toBeUndefined();
      expect(done).toBe(true);
      const last = events.at(-1);
      expect(last?.type).toBe('output');
      expect(last?.type === 'output' && last.execution.status).toBe('Warning');
      // No request cut by the client (a timeout aborts it), none answered other than 200: every
      // hold was waited out.
      expect(sim.simulator.stats.abortedRequests).toBe(0);
      expect(progress.every((r) => r.status === 200)).toBe(true);
      // No retry: the client sends a progress request again only after one failed, and every
      // one it sent came back to it as a 200 (no abort, no network error, nothing from a hop
      // in between), one for each request the server logged.
      expect(answered).toEqual(progress.map(() => 200));
      // Each progress call asked for an explicit hold: 30 s (auto) or 1 s, never -1, 0 or nothing.
      for (const r of progress) expect(r.path).toMatch(/\?timeout=(30|1)$/);
    }, SLOW);
  });

  it("'auto' long polls a server that holds: about one request per 30 s queued plus one per change", async () => {
    const { progress } = await runAgainst({ mode: 'default', defaultSeconds: 30 }, {});
    // 300 s queued: the first poll at 0.9 s, then held polls of 30 s; 3 changes after the queue.
    expect(progress.length).toBeLessThanOrEqual(300 / 30 + 1 + 3 + 1);
    expect(progress.every((r) => r.path.endsWith('?timeout=30'))).toBe(true);
  }, SLOW);

  it("'auto' against a server that never holds asks once (and again as a probe every REPROBE_AFTER_MS), then polls on the adaptive delay with no hold asked", async () => {
    const { progress } = await runAgainst({ mode: 'ignore', defaultSeconds: 0 }, {});
    const asked = progress.map((r) => /timeout=(\d+)/.exec(r.path)?.[1]);
    expect(asked[0]).toBe('30');
    // Issue 24 item 7: one quick answer no longer ends long polling for the client's life; the
    // probe every 5 min costs no extra request (its quick answer waits the adaptive delay).
    const probes = asked.slice(1).filter((t) => t === '30').length;
    expect(probes).toBeLessThanOrEqual(Math.ceil((FLOW_MS + 60_000) / REPROBE_AFTER_MS));
    expect(asked.slice(1).every((t) => t === '1' || t === '30')).toBe(true);
    // At most the one asking request more than the client that never asks (the adaptive delay,
    // capped at 3 s): a later execution of the same client would not even pay that.
    const { progress: plain } = await runAgainst({ mode: 'ignore', defaultSeconds: 0 }, { waitSeconds: 0 });
    expect(progress.length).toBeGreaterThan(50);
    expect(progress.length).toBeLessThanOrEqual(plain.length + 1);
  }, SLOW);
});
