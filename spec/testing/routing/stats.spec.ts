import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type Simulator, type VirtualClock } from 'smart-flows-rx/testing';
import { call, progressOf, startFlow } from '../support.js';

let clock: VirtualClock;
let sim: Simulator;
beforeEach(() => {
  clock = createVirtualClock();
  sim = createSimulator({ clock, seed: 9 });
});

describe('stats', () => {
  it('counts requests by route', async () => {
    const id = await startFlow(sim);
    await progressOf(sim, id);
    await progressOf(sim, id);
    await call(sim, 'GET', `/flows/executions/${id}`);
    await call(sim, 'GET', '/flows/executions');
    await call(sim, 'POST', '/authenticate/login', { body: '{"username":"demo","password":"demo"}' });
    await call(sim, 'DELETE', `/flows/executions/${id}`);
    await call(sim, 'GET', '/nowhere');
    expect(sim.stats).toMatchObject({
      requests: 8,
      byRoute: { start: 1, progress: 2, execution: 1, list: 1, login: 1, cancel: 1, userInput: 0, document: 0, documentContent: 0, other: 1 },
      executionsStarted: 1,
      startsByFlow: { [builtInFlows.short.id]: 1 },
    });
  });

  it('tracks executions running now and the most at once', async () => {
    await startFlow(sim, builtInFlows.short.id); // runs 600 ms
    clock.advance(100);
    await startFlow(sim, builtInFlows.long.id); // runs 10 s
    await startFlow(sim, builtInFlows.long.id);
    expect(sim.stats).toMatchObject({ concurrentExecutions: 3, maxConcurrentExecutions: 3 });
    clock.advance(1_000);
    expect(sim.stats).toMatchObject({ concurrentExecutions: 2, maxConcurrentExecutions: 3 });
    sim.resetStats();
    expect(sim.stats).toMatchObject({ requests: 0, executionsStarted: 0, concurrentExecutions: 2, maxConcurrentExecutions: 2 });
    clock.advance(60_000);
    expect(sim.stats).toMatchObject({ concurrentExecutions: 0, maxConcurrentExecutions: 2 });
  });

  it('counts an execution waiting for input as running until it ends', async () => {
    await startFlow(sim, builtInFlows.userInput.id);
    clock.advance(3_600_000);
    expect(sim.stats.concurrentExecutions).toBe(1);
  });

  it('keeps a capped request log of method, path, route, status and time', async () => {
    const s = createSimulator({ clock, requestLogLimit: 3 });
    const id = await startFlow(s);
    clock.advance(5);
    for (let i = 0; i < 3; i++) await progressOf(s, id);
    await call(s, 'GET', `/flows/executions/${id}/progress`, { anonymous: true });
    expect(s.requests).toHaveLength(3);
    expect(s.requests.at(-1)).toEqual({
      method: 'GET',
      path: `/api/v1/flows/executions/${id}/progress`,
      route: 'progress',
      status: 401,
      at: clock.now(),
    });
    expect(s.stats.requests).toBe(5);
  });

  it('gives a snapshot that later requests do not change', async () => {
    const before = sim.stats;
    await call(sim, 'GET', '/flows/executions');
    expect(before.requests).toBe(0);
    expect(sim.stats.requests).toBe(1);
  });
});
