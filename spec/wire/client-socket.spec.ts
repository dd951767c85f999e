// What only a real socket shows: a long poll held by the server, and an unsubscribe that
// closes the connection of the request in flight.
import { describe, expect, it } from '@jest/globals';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { builtInFlows, type FlowScript } from 'smart-flows-rx/testing';
import { useSimulatorServer, wireClient } from '../helpers/wireApi';

// Four stages of 150 ms: slow enough that a long poll has something to wait for.
const steady: FlowScript = { ...builtInFlows.short, id: '7a7a0000-0000-4000-8000-000000000001', stages: [0, 25, 50, 75].map((percentage, i) => ({ message: `stage ${i}`, durationMs: 150, percentage })) };
// Holds in one stage for a minute: a long poll on it stays open until the client leaves.
const stuck: FlowScript = { ...builtInFlows.short, id: '7a7a0000-0000-4000-8000-000000000002', stages: [{ message: 'thinking', durationMs: 60_000, percentage: 10 }] };

const server = useSimulatorServer({ flows: [steady, stuck] });

/** Resolves when `check()` holds, looking again every 2 ms; fails after `limitMs` (an outer bound, generous for a loaded machine). */
async function until(check: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('over the wire', () => {
  it('a long poll is held by the server and costs at most one request per change plus two', async () => {
    const sim = server();
    sim.simulator.resetStats();
    const client = wireClient(sim, { polling: { waitSeconds: 5, intervalMs: 1, maxIntervalMs: 5 } });
    const events = await lastValueFrom(client.run(steady.id, '<Letter/>').pipe(toArray()));
    expect(events.at(-1)?.type).toBe('output');
    const changes = events.filter((e) => e.type === 'progress').length - 1; // after the start answer
    const polls = sim.simulator.stats.byRoute.progress;
    expect(polls).toBeLessThanOrEqual(changes + 2);
    // With 1–5 ms polling and no long poll, 600 ms would take well over a hundred requests.
    expect(polls).toBeGreaterThan(0);
  });

  it('unsubscribing during a held long poll closes its connection on the server side', async () => {
    const sim = server();
    sim.simulator.resetStats();
    const client = wireClient(sim, { polling: { waitSeconds: 30, intervalMs: 1, maxIntervalMs: 5 } });
    const sub = client.run(stuck.id, '<Letter/>').subscribe();
    await until(() => sim.simulator.stats.openLongPolls === 1, 'the long poll to be held');
    sub.unsubscribe();
    await until(() => sim.simulator.stats.abortedRequests === 1, 'the server to see the connection close');
    expect(sim.simulator.stats.openLongPolls).toBe(0);
    const requests = sim.simulator.stats.requests;
    // Nothing more is sent once unsubscribed: give a 1–5 ms poll loop ample room to misbehave.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.simulator.stats.requests).toBe(requests);
  });

  it('watch of a running execution from a second client sees the same end', async () => {
    const sim = server();
    const a = wireClient(sim);
    const first = await firstValueFrom(a.run(steady.id, '<Letter/>').pipe(filter((e) => e.type === 'progress'), take(1)));
    const b = wireClient(sim);
    const last = await lastValueFrom(b.watch(first.executionId));
    expect(last).toMatchObject({ type: 'output', executionId: first.executionId });
  });
});
