import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { ExecutionEvent } from '../../lib/api/types';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();
const INPUT = '<Letter><To>Ann</To></Letter>';

describe('watch sharing, counted by the simulator', () => {
  it('sends no more progress requests for two concurrent watchers than for one', async () => {
    const sim = start();
    const client = sim.client();
    const other = sim.client();
    const [one, two, control] = await Promise.all(
      [0, 1, 2].map(() => firstValueFrom(client.startExecution(builtInFlows.short.id, INPUT)).then((p) => p.id)),
    );
    const ends: Promise<ExecutionEvent[]>[] = [
      lastValueFrom(client.watch(one!).pipe(toArray())),
      // Two subscribers of one client: one poll loop.
      lastValueFrom(client.watch(two!).pipe(toArray())),
      lastValueFrom(client.watch(two!).pipe(toArray())),
      // The control: two clients, two loops.
      lastValueFrom(client.watch(control!).pipe(toArray())),
      lastValueFrom(other.watch(control!).pipe(toArray())),
    ];
    let settled = 0;
    ends.forEach((p) => void p.then(() => settled++));
    await sim.until(() => settled === ends.length);
    const [a, b1, b2] = await Promise.all(ends);

    expect(b1).toEqual(b2);
    expect(b1!.at(-1)).toMatchObject({ type: 'output', executionId: two });
    expect(a!.map((e) => e.type === 'progress' && e.progress.message)).toEqual(b1!.map((e) => e.type === 'progress' && e.progress.message));
    expect(sim.progressCalls(one!)).toBeGreaterThan(2);
    expect(sim.progressCalls(two!)).toBe(sim.progressCalls(one!));
    expect(sim.progressCalls(control!)).toBe(2 * sim.progressCalls(one!));
    // One output GET per loop: one, two, and the control's two.
    expect(sim.simulator.stats.byRoute.execution).toBe(4);
  });

  it('gives a late subscriber the latest event at once, without a request', async () => {
    const sim = start();
    const client = sim.client();
    const id = (await firstValueFrom(client.startExecution(builtInFlows.long.id, INPUT))).id;
    const early: ExecutionEvent[] = [];
    const first = client.watch(id).subscribe((e) => early.push(e));
    await sim.advance(3_500);
    const before = sim.simulator.stats.byRoute.progress;
    const late: ExecutionEvent[] = [];
    const second = client.watch(id).subscribe((e) => late.push(e));
    // Synchronously, before any time passes or any request is answered.
    expect(late).toEqual([early.at(-1)]);
    expect(late[0]!.type === 'progress' && late[0]!.progress.percentage).toBeGreaterThanOrEqual(30);
    expect(sim.simulator.stats.byRoute.progress).toBe(before);
    first.unsubscribe();
    second.unsubscribe();
  });

  it('keeps polling while one subscriber is left, stops when the last leaves, and starts afresh after', async () => {
    const sim = start();
    const client = sim.client();
    const id = (await firstValueFrom(client.startExecution(builtInFlows.long.id, INPUT))).id;
    const a = client.watch(id).subscribe();
    const b = client.watch(id).subscribe();
    await sim.advance(1_000);
    a.unsubscribe();
    const afterFirstLeft = sim.progressCalls(id);
    await sim.advance(1_000);
    expect(sim.progressCalls(id)).toBeGreaterThan(afterFirstLeft);

    b.unsubscribe();
    const afterLastLeft = sim.progressCalls(id);
    expect(sim.scheduler.actions).toHaveLength(0);
    await sim.advance(5_000, 250);
    expect(sim.progressCalls(id)).toBe(afterLastLeft);

    const again: ExecutionEvent[] = [];
    const c = client.watch(id).subscribe((e) => again.push(e));
    // Its first read asks timeout=1 (no hold): a server that honours it may take up to 1 s.
    await sim.advance(1_100);
    expect(sim.progressCalls(id)).toBeGreaterThan(afterLastLeft);
    expect(again[0]).toMatchObject({ type: 'progress', executionId: id });
    c.unsubscribe();
  });
});
