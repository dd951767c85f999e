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
