import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { ExecutionEvent } from '../../lib/api/types';
import type { TrackerDebugEvent } from '../../lib/tracker/trackerOptions';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { withFutureItem } from './futureItem';

const start = useVirtualSimulator();

/** Collects a stream's events and its end. */
function record(events$: import('rxjs').Observable<ExecutionEvent>) {
  const seen: { events: ExecutionEvent[]; error?: unknown; done: boolean } = { events: [], done: false };
  events$.subscribe({ next: (e) => seen.events.push(e), error: (e: unknown) => ((seen.error = e), (seen.done = true)), complete: () => (seen.done = true) });
  return seen;
}

const tracker = (debug: TrackerDebugEvent[], more = {}) => ({ intervalMs: 200, onDebug: (e: TrackerDebugEvent) => debug.push(e), ...more });

describe("run with tracking: 'listing' (msw, virtual time)", () => {
  it('ends each execution as polling does, with listing requests instead of progress requests', async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const flows = [builtInFlows.invoice, builtInFlows.long, builtInFlows.warning, builtInFlows.error, builtInFlows.interrupted, builtInFlows.queued];
    const runs = flows.flatMap((f) => [1, 2, 3].map(() => record(c.run(f.id, '<Invoice/>', { tracking: 'listing' }))));
    await until(() => runs.every((r) => r.done), 120_000);
    const ends = runs.map((r) => (r.error ? (r.error as { name: string; status: string }).status : (r.events.at(-1) as { execution: { status: string } }).execution.status));
    expect(ends).toEqual(flows.flatMap((f) => [f.outcome, f.outcome, f.outcome]));
    for (const r of runs.filter((x) => x.error)) expect(r.error).toMatchObject({ name: 'FlowExecutionError', executionId: r.events[0]?.executionId });
    const routes = simulator.requests.map((r) => r.route);
    expect(routes.filter((r) => r === 'progress')).toHaveLength(0);
    // One GET of each execution at its end: the confirm and the output are one request.
    expect(routes.filter((r) => r === 'execution')).toHaveLength(runs.length);
    const cycles = debug.filter((e) => e.type === 'cycle');
    expect(cycles.length).toBeGreaterThan(0);
    expect(routes.filter((r) => r === 'list')).toHaveLength(cycles.reduce((n, e) => n + (e.type === 'cycle' ? e.requests : 0), 0));
    expect(debug.filter((e) => e.type === 'fallback')).toEqual([]);
  });
});

describe("tracking: 'listing' checks what the listing says", () => {
  /** A fetch that makes every listing item say `status` (a listing ahead of, or at odds with, the execution). */
  const listingSays = (status: string): typeof fetch => async (input, init) => {
    const response = await fetch(input, init);
    const url = String(input);
    const listing = /\/flows\/executions\/filter\?/.test(url) || (/\/flows\/executions\?/.test(url) && (init?.method ?? 'GET') === 'GET');
    if (!listing) return response;
    const body = (await response.json()) as { content: { status: string }[] };
    for (const item of body.content) item.status = status;
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };

  it("polls an execution on its own when its GET contradicts the listing's terminal status", async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug), fetch: listingSays('Success') });
    const runs = [record(c.run(builtInFlows.error.id, '<A/>', { tracking: 'listing' })), record(c.run(builtInFlows.long.id, '<A/>', { tracking: 'listing' }))];
    await until(() => runs.every((r) => r.done), 120_000);
    // The error flow still ends in Error, the long one in Success after its own polls: never the listing's word.
    expect(runs[0]!.error).toMatchObject({ name: 'FlowExecutionError', status: 'Error' });
    expect(runs[1]!.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(debug.filter((e) => e.type === 'fallback').map((e) => e.type === 'fallback' && `${e.scope} ${e.reason}`)).toEqual(['execution contradiction', 'execution contradiction']);
    expect(simulator.requests.filter((r) => r.route === 'progress').length).toBeGreaterThan(0);
  });

  it('a throwing onDebug does not end a stream that falls back to polling (contradiction)', async () => {
    const { client, until } = start();
    let calls = 0;
    const onDebug = () => {
      calls++;
      throw new Error('a bug in the app');
    };
    const c = client({ tracker: { intervalMs: 200, onDebug }, fetch: listingSays('Success') });
    const run = record(c.run(builtInFlows.long.id, '<A/>', { tracking: 'listing' }));
    await until(() => run.done, 120_000);
    expect(calls).toBeGreaterThan(0);
    expect(run.error).toBeUndefined();
    expect(run.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
  });

  it('reads a form with one progress request when the listing shows UserInput', async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const run = record(c.run(builtInFlows.userInput.id, '<A/>', { tracking: 'listing', onUserInput: 'error' }));
    await until(() => run.done, 60_000);
    expect(run.error).toMatchObject({ name: 'FlowExecutionError', status: 'UserInput' });
    expect((run.error as { progress: { form?: unknown } }).progress.form).toBeDefined();
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(1);
  });

  it('refuses a tracking value it does not know, before any request', async () => {
    const { simulator, client } = start();
    const seen = record(client().run(builtInFlows.short.id, '<A/>', { tracking: 'sometimes' as 'listing' }));
    expect(seen.error).toMatchObject({ name: 'SmartFlowsInputError' });
    expect(simulator.requests).toHaveLength(0);
  });
});

describe("runBatch and watch with tracking: 'listing'", () => {
  it('runs a batch through the tracker: every job ends as with polling, no progress request', async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const jobs = [builtInFlows.short, builtInFlows.error, builtInFlows.warning, builtInFlows.long].map((f, i) => ({ flowId: f.id, input: '<Invoice/>', key: `job-${i}` }));
    let last: { done: boolean; items: readonly { state: string }[] } | undefined;
    c.runBatch(jobs, { concurrency: 4, tracking: 'listing', snapshotIntervalMs: 0 }).subscribe((s) => (last = s));
    await until(() => last?.done === true, 60_000);
    expect(last!.items.map((i) => i.state)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded']);
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(0);
    expect(debug.some((e) => e.type === 'cycle')).toBe(true);
  });

  it('shares one tracked loop between two watchers of the same execution', async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const first = record(c.run(builtInFlows.long.id, '<A/>'));
    await until(() => first.events.length > 0);
    const id = first.events[0]!.executionId;
    const a = record(c.watch(id, { tracking: 'listing' }));
    const b = record(c.watch(id, { tracking: 'listing' }));
    await until(() => a.done && b.done && first.done, 60_000);
    expect(a.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(b.events.at(-1)).toEqual(a.events.at(-1));
    // The watch's first GET, then nothing but listings for the watchers; one GET of the execution for both.
    const executionGets = simulator.requests.filter((r) => r.route === 'execution').length;
    expect(executionGets).toBe(2); // the run's own output GET, and the shared watch's
    expect(debug.filter((e) => e.type === 'cycle').every((e) => e.type === 'cycle' && e.tracked <= 1)).toBe(true);
  });
});

describe('several followers of one tracked execution (issue 24, item 6)', () => {
  it("ends a run and a watch of the same execution, both with tracking: 'listing'", async () => {
    const { simulator, client, until } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const run = record(c.run(builtInFlows.long.id, '<A/>', { tracking: 'listing' }));
    await until(() => run.events.length > 0);
    const id = run.events[0]!.executionId;
    // Another key than the run's (cancelOnUnsubscribe): a follower of its own, not a shared watch.
    const watch = record(c.watch(id, { tracking: 'listing', cancelOnUnsubscribe: true }));
    await until(() => run.done && watch.done, 60_000);
    expect(run.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(watch.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    // The watch's first read is its one progress request; then the listing for both, and one GET at the end.
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(1);
    expect(simulator.requests.filter((r) => r.route === 'execution')).toHaveLength(1);
    expect(simulator.requests.filter((r) => r.route === 'cancel')).toHaveLength(0);
    // One entry for both: the cycles count one tracked execution.
    expect(debug.filter((e) => e.type === 'cycle').every((e) => e.type === 'cycle' && e.tracked <= 1)).toBe(true);
  });

  it('keeps following the execution for the follower that stays when the other leaves', async () => {
    const { client, until, advance } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug) });
    const run = record(c.run(builtInFlows.long.id, '<A/>', { tracking: 'listing' }));
    await until(() => run.events.length > 0);
    const id = run.events[0]!.executionId;
    const watch = c.watch(id, { tracking: 'listing', onUserInput: 'error' }).subscribe();
    await advance(1000);
    watch.unsubscribe();
    await until(() => run.done, 60_000);
    expect(run.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
  });
});

describe('a quiet execution checked for several followers', () => {
  it('hands the check to another follower when the one that took it leaves before the answer', async () => {
    const { simulator, client, until, advance } = start();
    // One stage of 20 s: the listing shows no change, the execution is quiet after missingAfterMs.
    const quiet = { ...builtInFlows.short, id: '5f1a0000-0000-4000-8000-0000000000c1', stages: [{ message: 'Long stage', percentage: 10, durationMs: 20_000 }] };
    simulator.addFlow(quiet);
    const c = client({ tracker: { intervalMs: 200, feed: 'list', missingAfterMs: 5_000 } });
    const progressCalls = () => simulator.requests.filter((r) => r.route === 'progress').length;
    // Another execution changing every second moves the listing's newest change (the horizon) on.
    c.startExecution(builtInFlows.long.id, '<A/>').subscribe();
    const run = c.run(quiet.id, '<A/>', { tracking: 'listing' });
    let id: string | undefined;
    const first = run.subscribe((e) => (id = e.executionId));
    await until(() => id !== undefined);
    const watch = record(c.watch(id!, { tracking: 'listing', onUserInput: 'error' }));
    await until(() => progressCalls() === 1);
    // The run takes the check (a progress request the server holds up to 1 s) and leaves meanwhile.
    await until(() => progressCalls() === 2, 10_000);
    first.unsubscribe();
    await advance(300);
    expect(progressCalls()).toBe(3);
    expect(watch.done).toBe(false);
    await until(() => watch.done, 60_000);
    expect(watch.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
  });
});

describe('tracker.onDebug', () => {
  it('a throwing onDebug changes nothing: no failed cycle, no fallback, no progress request', async () => {
    const { simulator, client, until } = start();
    let calls = 0;
    const c = client({ tracker: { intervalMs: 200, onDebug: () => { calls++; throw new Error('a bug in the app'); } } });
    const runs = [builtInFlows.long, builtInFlows.error].map((f) => record(c.run(f.id, '<A/>', { tracking: 'listing' })));
    await until(() => runs.every((r) => r.done), 60_000);
    expect(calls).toBeGreaterThan(3);
    expect(runs[0]!.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(runs[1]!.error).toMatchObject({ name: 'FlowExecutionError', status: 'Error' });
    // A failed cycle would fall back to polling after three: progress requests.
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(0);
  });
});

describe('the first cycle on a busy server (issue 24, item 13)', () => {
  it.each([['', undefined], [", with another user's item stamped a day ahead", withFutureItem]] as const)('sees an end that 100 later changes pushed off the first page, within two cycles and without a fallback%s', async (_title, fetch) => {
    const { simulator, client, until, advance, scheduler } = start();
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: { intervalMs: 2000, onDebug: (e) => debug.push(e) }, ...(fetch ? { fetch } : {}) });
    // 100 other executions (long: a stage a second), each changing 1.5 s after our run starts.
    for (let k = 0; k < 100; k++) c.startExecution(builtInFlows.long.id, '<A/>').subscribe();
    await advance(500);
    const startedAt = scheduler.now();
    // Ours ends 600 ms after its start, before the others' change, before the first cycle (2 s).
    const run = record(c.run(builtInFlows.short.id, '<A/>', { tracking: 'listing' }));
    await until(() => run.done, 60_000);
    const lateMs = scheduler.now() - startedAt - 600;
    expect(run.events.at(-1)).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(debug.filter((e) => e.type === 'fallback')).toEqual([]);
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(0);
    expect(lateMs).toBeLessThanOrEqual(2 * 2000);
  });
});

describe('another user\'s item stamped in the future (attack report, item 6)', () => {
  it.each([['the filter endpoint', 'served'], ['GET /flows/executions', 404]] as const)('does not move the horizon: ends are seen by the next cycles, through %s', async (_feed, filterEndpoint) => {
    const { simulator, client, until, scheduler } = start({ listing: { filterEndpoint, otherUsersPerStart: 1 } });
    const debug: TrackerDebugEvent[] = [];
    const c = client({ tracker: tracker(debug), fetch: withFutureItem });
    const startedAt = scheduler.now();
    // Each invoice ends about 400 ms after its start; one cycle every 200 ms.
    const runs = [0, 1, 2].map(() => record(c.run(builtInFlows.invoice.id, '<Invoice/>', { tracking: 'listing' })));
    await until(() => runs.every((r) => r.done), 60_000);
    const tookMs = scheduler.now() - startedAt;
    // Within 2 s (the clean listing takes about 1 s), without fallbacks; one assertion, so a
    // failure prints how long the ends took and why.
    expect({ tookMs: Math.max(tookMs, 2000), fallbacks: debug.filter((e) => e.type === 'fallback').map((e) => e.type === 'fallback' && e.reason) }).toEqual({ tookMs: 2000, fallbacks: [] });
    expect(runs.map((r) => r.events.at(-1))).toEqual(runs.map(() => expect.objectContaining({ type: 'output', execution: expect.objectContaining({ status: 'Success' }) })));
    expect(simulator.requests.filter((r) => r.route === 'progress')).toHaveLength(0);
  });
});
