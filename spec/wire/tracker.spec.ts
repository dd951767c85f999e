import { afterEach, describe, expect, it } from '@jest/globals';
import { lastValueFrom, merge, toArray } from 'rxjs';
import type { ExecutionEvent, FetchLike, SmartFlowsClient } from 'smart-flows-rx';
import { type FlowScript, type SimulatorServer, type SimulatorServerOptions, startSimulatorServer } from 'smart-flows-rx/testing';
import type { TrackerDebugEvent, TrackerOptions } from '../../lib/tracker/trackerOptions';
import { fast, fastFlows, wireClient } from '../helpers/wireApi';

// Fallbacks of the listing tracker against the simulator's real HTTP server, one server per test
// (each models a server that lists differently). Every run must still end as polling would.
let server: SimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const slow = (script: FlowScript, stageMs: number) => fast(script, stageMs);

async function serve(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  server = await startSimulatorServer({ seed: 11, flows: Object.values(fastFlows).map((f) => slow(f, 40)), ...options });
  return server;
}

function trackingClient(s: SimulatorServer, debug: TrackerDebugEvent[], tracker: TrackerOptions = {}, fetch?: FetchLike): SmartFlowsClient {
  return wireClient(s, { tracker: { intervalMs: 20, safetyMarginMs: 200, onDebug: (e) => debug.push(e), ...tracker }, ...(fetch ? { fetch } : {}) });
}

/** Runs the flows side by side with tracking: 'listing'; each run's end status. */
async function runAll(client: SmartFlowsClient, flows: FlowScript[]): Promise<string[]> {
  const runs = flows.map((f) =>
    lastValueFrom(client.run(f.id, '<Invoice/>', { tracking: 'listing' }).pipe(toArray())).then(
      (events: ExecutionEvent[]) => (events.at(-1) as Extract<ExecutionEvent, { type: 'output' }>).execution.status,
      (error: { name: string; status?: string }) => `${error.name} ${error.status ?? ''}`.trim(),
    ),
  );
  return Promise.all(runs);
}

const flows = [fastFlows.short, fastFlows.warning, fastFlows.error, fastFlows.short];
const expected = ['Success', 'Warning', 'FlowExecutionError Error', 'Success'];
const fallbacks = (debug: TrackerDebugEvent[]) => debug.filter((e) => e.type === 'fallback').map((e) => e.type === 'fallback' && `${e.scope} ${e.reason}`);
const routes = (s: SimulatorServer, route: string) => s.simulator.requests.filter((r) => r.route === route).length;

/** Waits for `promise`, failing after `ms` (a bounded wait on an event, never a sleep). */
async function within(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  try {
    await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("tracking: 'listing' over the wire", () => {
  it('follows the executions through the filter endpoint, without a progress request', async () => {
    const s = await serve();
    const debug: TrackerDebugEvent[] = [];
    expect(await runAll(trackingClient(s, debug), flows)).toEqual(expected);
    expect(fallbacks(debug)).toEqual([]);
    expect(routes(s, 'progress')).toBe(0);
    expect(s.simulator.requests.some((r) => r.method === 'POST' && r.path.startsWith('/api/v1/flows/executions/filter'))).toBe(true);
  });

  it('checks quiet executions through the listing (id in […]), not with a progress request each', async () => {
    const s = await serve();
    const debug: TrackerDebugEvent[] = [];
    // Three runs in long stages (0.7 s each), quiet for far longer than missingAfterMs (100 ms),
    // beside one that changes every 50 ms: the listing's newest change moves on, so the quiet
    // ones drop out of what each cycle reads, and are swept.
    const quiet = [1, 2, 3].map((k) => ({ ...slow(fastFlows.short, 700), id: `5f1b0000-0000-4000-8000-00000000aa0${k}` }));
    const busy = { ...slow(fastFlows.long, 50), id: '5f1b0000-0000-4000-8000-00000000bb01' };
    for (const flow of [...quiet, busy]) s.simulator.addFlow(flow);
    let idFilters = 0;
    const fetch: FetchLike = (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"key":"id"')) idFilters++;
      return globalThis.fetch(input, init);
    };
    expect(await runAll(trackingClient(s, debug, { missingAfterMs: 100 }, fetch), [...quiet, busy])).toEqual(['Success', 'Success', 'Success', 'Success']);
    expect(fallbacks(debug)).toEqual([]);
    expect(routes(s, 'progress')).toBe(0);
    const sweeps = debug.flatMap((e) => (e.type === 'cycle' && e.swept ? [e] : []));
    expect(sweeps.length).toBeGreaterThan(0);
    expect(sweeps.every((e) => e.checks === 0)).toBe(true);
    expect(idFilters).toBe(sweeps.length);
  });

  it.each(['refused', 'ignored'] as const)('checks quiet executions with their own requests where the filter %s an id condition, and says so', async (how) => {
    // Other users' executions: what a filter that drops the id condition answers too.
    const s = await serve({ listing: { unsupportedFilterKeys: { id: how }, otherUsersPerStart: 1 } });
    const debug: TrackerDebugEvent[] = [];
    const quiet = { ...slow(fastFlows.short, 700), id: '5f1b0000-0000-4000-8000-00000000aa11' };
    const busy = { ...slow(fastFlows.long, 50), id: '5f1b0000-0000-4000-8000-00000000bb11' };
    for (const flow of [quiet, busy]) s.simulator.addFlow(flow);
    expect(await runAll(trackingClient(s, debug, { missingAfterMs: 100 }), [quiet, busy])).toEqual(['Success', 'Success']);
    expect(debug.filter((e) => e.type === 'sweep')).toEqual([expect.objectContaining({ sweeps: 'off', detail: expect.stringContaining(how === 'refused' ? '400' : 'did not ask for') })]);
    // The listing stays in use. (A check of its own may see a change before the next cycle does,
    // and put that one execution on its own polling: the race every such check has.)
    expect(fallbacks(debug).filter((f) => f !== 'execution missing')).toEqual([]);
    // Its checks of its own: progress requests while it stays on the listing.
    expect(routes(s, 'progress')).toBeGreaterThan(0);
  });

  it.each([404, 405] as const)('reads GET /flows/executions when the filter endpoint answers %s, and says so', async (status) => {
    const s = await serve({ listing: { filterEndpoint: status } });
    const debug: TrackerDebugEvent[] = [];
    // The switch is told when a cycle with a horizon (the second) asks the filter endpoint. On a
    // starved event loop the first cycle can come after the four runs ended, and there is no
    // second: one more run, in one long stage, keeps the cycles going until the switch is told.
    let told: () => void = () => undefined;
    const switched = new Promise<void>((resolve) => (told = resolve));
    const client = trackingClient(s, debug, { onDebug: (e) => (debug.push(e), e.type === 'feed' && told()) });
    const holder = { ...slow(fastFlows.short, 60_000), id: '5f1b0000-0000-4000-8000-00000000cc01' };
    s.simulator.addFlow(holder);
    const held = client.run(holder.id, '<A/>', { tracking: 'listing' }).subscribe();
    const ends = runAll(client, flows);
    await within(switched, 10_000, 'the feed debug event');
    held.unsubscribe();
    expect(await ends).toEqual(expected);
    expect(debug.filter((e) => e.type === 'feed')).toEqual([expect.objectContaining({ type: 'feed', feed: 'list' })]);
    expect(fallbacks(debug)).toEqual([]);
    expect(routes(s, 'progress')).toBe(0);
  });

  it('falls back to polling when the server refuses sort=modifiedAt (400)', async () => {
    const s = await serve({ listing: { unsupportedSort: { modifiedAt: 'refused' } } });
    const debug: TrackerDebugEvent[] = [];
    expect(await runAll(trackingClient(s, debug, { feed: 'list' }), flows)).toEqual(expected);
    expect(fallbacks(debug)).toEqual(['tracker sortRefused']);
    expect(routes(s, 'progress')).toBeGreaterThan(0);
  });

  it('falls back to polling when the server ignores the sort (answers out of modifiedAt order)', async () => {
    const s = await serve({ listing: { unsupportedSort: { modifiedAt: 'ignored' } } });
    const debug: TrackerDebugEvent[] = [];
    const client = trackingClient(s, debug, { feed: 'list' });
    // The oldest execution keeps changing while a younger one stands still: created-at order is not modified-at order.
    const busy = slow(fastFlows.long, 60);
    const quiet = slow(fastFlows.short, 400);
    s.simulator.addFlow(busy);
    s.simulator.addFlow(quiet);
    const first = runAll(client, [busy]);
    await new Promise((r) => setTimeout(r, 30));
    const ends = await Promise.all([first, runAll(client, [quiet])]);
    expect(ends.flat()).toEqual(['Success', 'Success']);
    expect(fallbacks(debug)).toEqual(['tracker unsorted']);
  });

  it('falls back to polling after three failed listing cycles', async () => {
    const s = await serve({ faults: { rate500: 1, routes: ['list'] } });
    const debug: TrackerDebugEvent[] = [];
    expect(await runAll(trackingClient(s, debug), flows)).toEqual(expected);
    expect(fallbacks(debug)).toEqual(['tracker listingFailed']);
  });

  it('checks an execution the listing never shows, and polls it when it changed unseen', async () => {
    // Listings lag by far more than the runs last: no tracked execution is ever listed.
    const s = await serve({ listing: { lagMs: 1e9 } });
    const debug: TrackerDebugEvent[] = [];
    expect(await runAll(trackingClient(s, debug, { missingAfterMs: 100 }), flows)).toEqual(expected);
    expect(fallbacks(debug)).toEqual(flows.map(() => 'execution missing'));
  });

  it("ignores other users' executions in the listing", async () => {
    const s = await serve({ listing: { otherUsersPerStart: 2 } });
    const debug: TrackerDebugEvent[] = [];
    expect(await runAll(trackingClient(s, debug), flows)).toEqual(expected);
    expect(fallbacks(debug)).toEqual([]);
    expect(s.simulator.stats.byRoute.start).toBe(flows.length);
    expect(routes(s, 'execution')).toBe(flows.length);
  });

  it('stops every timer and request when the last tracked stream is unsubscribed', async () => {
    const s = await serve();
    const debug: TrackerDebugEvent[] = [];
    // Requests counted as the client sends them: one already in flight at the unsubscribe may
    // still reach the server after it (CI saw 6 where 5 were counted), but none may be sent.
    let sent = 0;
    const client = trackingClient(s, debug, {}, (input, init) => (sent++, globalThis.fetch(input, init)));
    const long = slow(fastFlows.long, 200);
    s.simulator.addFlow(long);
    const sub = merge(client.run(long.id, '<A/>', { tracking: 'listing' })).subscribe();
    // Unsubscribed once the tracker is at work (a cycle read), however busy the machine is.
    for (let waited = 0; !debug.some((e) => e.type === 'cycle') && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    sub.unsubscribe();
    const after = sent;
    await new Promise((r) => setTimeout(r, 150));
    expect(sent).toBe(after);
    expect(debug.filter((e) => e.type === 'cycle').length).toBeGreaterThan(0);
  });
});
