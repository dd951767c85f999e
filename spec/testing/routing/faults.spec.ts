import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type FaultOptions, type VirtualClock } from 'smart-flows-rx/testing';
import { XML, call, callRaw, progressOf, startFlow } from '../support.js';

let clock: VirtualClock;
beforeEach(() => {
  clock = createVirtualClock();
});

/** The statuses of `n` progress polls of one execution, under `faults` and `seed`. */
async function pollStatuses(seed: number, faults: FaultOptions, n = 40): Promise<number[]> {
  const sim = createSimulator({ clock, seed, faults });
  const id = await startFlow(sim, builtInFlows.long.id);
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await progressOf(sim, id)).status);
  return statuses;
}

const MIX: FaultOptions = { rate503: 0.15, rate429: 0.1, rate500: 0.1, rateReset: 0.1, rateMalformedJson: 0.1 };

describe('fault injection', () => {
  it('is reproducible: the same seed gives the same faults, another seed others', async () => {
    const a = await pollStatuses(11, MIX);
    expect(await pollStatuses(11, MIX)).toEqual(a);
    expect(await pollStatuses(12, MIX)).not.toEqual(a);
    // Every kind shows up in 40 draws at these rates (0 = dropped connection).
    expect(new Set(a)).toEqual(new Set([0, 200, 429, 500, 503]));
  });

  it('applies to the progress route only by default', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { rate500: 1 } });
    const id = await startFlow(sim);
    expect((await call(sim, 'GET', `/flows/executions/${id}`)).status).toBe(200);
    expect((await progressOf(sim, id)).status).toBe(500);
  });

  it('sends Retry-After on 503 and 429, including huge values and per-route functions', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { rate503: 1, retryAfterSeconds: 3e6 } });
    const id = await startFlow(sim);
    const res = await progressOf(sim, id);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('3000000');
    expect(res.json).toMatchObject({ status: 503, error: 'Service Unavailable' });
    sim.setFaults({ rate429: 1, retryAfterSeconds: (route) => (route === 'progress' ? 7 : 1) });
    const limited = await progressOf(sim, id);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
  });

  it('drops the connection (reset) and sends truncated JSON (malformedJson)', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { rateReset: 1 } });
    const id = await startFlow(sim);
    expect(await callRaw(sim, 'GET', `/flows/executions/${id}/progress`)).toEqual({ status: 0, headers: {}, reset: true });
    sim.setFaults({ rateMalformedJson: 1 });
    const res = await progressOf(sim, id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toBeUndefined();
    expect(res.text.startsWith('{"id":')).toBe(true);
  });

  it('faults a start before the execution exists, so a retry never creates a duplicate', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { routes: ['start'], rate503: 1 } });
    const start = () => call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body: '<a/>', headers: XML });
    expect((await start()).status).toBe(503);
    for (const fault of [{ rateReset: 1 }, { rate500: 1 }, { rateMalformedJson: 1 }, { rate429: 1 }]) {
      sim.setFaults({ routes: ['start'], ...fault });
      await start();
    }
    expect(sim.stats.executionsStarted).toBe(0);
    expect((await call(sim, 'GET', '/flows/executions')).json.totalElements).toBe(0);
    sim.setFaults(undefined);
    expect((await start()).status).toBe(200);
    expect(sim.stats).toMatchObject({ executionsStarted: 1, startsByFlow: { [builtInFlows.short.id]: 1 } });
  });

  it("applies to every route with routes: 'all'", async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { routes: 'all', rate500: 1 } });
    expect((await call(sim, 'GET', '/flows/executions')).status).toBe(500);
    expect((await call(sim, 'POST', '/authenticate/login', { body: '{}' })).status).toBe(500);
  });

  it('delays answers by latencyMs on the simulator clock', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { latencyMs: [100, 200] } });
    const id = await startFlow(sim);
    let answered = false;
    const pending = callRaw(sim, 'GET', `/flows/executions/${id}/progress`).then((r) => ((answered = true), r));
    await clock.advanceAsync(99);
    expect(answered).toBe(false);
    await clock.advanceAsync(101);
    expect(answered).toBe(true);
    expect((await pending).status).toBe(200);
    expect(sim.stats.faultsInjected.latency).toBe(1);
  });

  it('marks answers for a slow body when slowBodyMs is set', async () => {
    const sim = createSimulator({ clock, seed: 1, faults: { slowBodyMs: 250 } });
    const id = await startFlow(sim);
    const res = await callRaw(sim, 'GET', `/flows/executions/${id}/progress`);
    expect(res.bodyDelayMs).toBe(250);
    expect(sim.stats.faultsInjected.slowBody).toBe(1);
  });

  it('counts each fault and notes it in the request log', async () => {
    const sim = createSimulator({ clock, seed: 11, faults: MIX });
    const id = await startFlow(sim, builtInFlows.long.id);
    for (let i = 0; i < 40; i++) await progressOf(sim, id);
    const { faultsInjected } = sim.stats;
    const logged = sim.requests.filter((r) => r.fault);
    const total = faultsInjected.status503 + faultsInjected.status429 + faultsInjected.status500 + faultsInjected.reset + faultsInjected.malformedJson;
    expect(logged).toHaveLength(total);
    expect(logged.filter((r) => r.fault === 'status503')).toHaveLength(faultsInjected.status503);
    expect(sim.requests.filter((r) => r.status === 503)).toHaveLength(faultsInjected.status503);
  });
});

describe('fault options', () => {
  it.each([
    [{ rate503: 1.5 }, 'rate503'],
    [{ rate500: -0.1 }, 'rate500'],
    [{ rate503: 0.6, rate429: 0.6 }, 'add up'],
    [{ latencyMs: [50, 10] as [number, number] }, 'latencyMs'],
    [{ latencyMs: -1 }, 'latencyMs'],
  ])('refuses %j', (faults, message) => {
    expect(() => createSimulator({ faults })).toThrow(message);
    expect(() => createSimulator().setFaults(faults)).toThrow(RangeError);
  });
});
