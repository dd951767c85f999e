import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { ExecutionEvent } from '../../lib/api/types';
import type { TrackerDebugEvent } from '../../lib/tracker/trackerOptions';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

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
