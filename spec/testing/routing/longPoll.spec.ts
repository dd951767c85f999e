import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type Simulator, type VirtualClock } from 'smart-flows-rx/testing';
import { call, callRaw, parse, startFlow } from '../support.js';

let clock: VirtualClock;
let sim: Simulator;
beforeEach(() => {
  clock = createVirtualClock();
  sim = createSimulator({ clock, seed: 5 });
});

/** Settles a promise without advancing the clock: reports whether it is done. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
}

describe('long poll: GET …/progress?timeout=seconds', () => {
  it.each(['', '?timeout=-1', '?timeout=0'])('answers at once with %j', async (query) => {
    const id = await startFlow(sim, builtInFlows.long.id);
    const pending = callRaw(sim, 'GET', `/flows/executions/${id}/progress${query}`);
    expect(await isSettled(pending)).toBe(true);
    expect(sim.stats.openLongPolls).toBe(0);
  });

  it('holds until the next stage begins, then answers the new progress', async () => {
    const id = await startFlow(sim, builtInFlows.long.id);
    const pending = callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`);
    expect(sim.stats.openLongPolls).toBe(1);
    clock.advance(999);
    expect(await isSettled(pending)).toBe(false);
    clock.advance(1);
    const res = parse(await pending);
    expect(res.json).toMatchObject({ percentage: 10, message: 'Collect figures' });
    expect(sim.stats.openLongPolls).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('answers the unchanged progress when the timeout comes first', async () => {
    const id = await startFlow(sim, builtInFlows.userInput.id);
    clock.advance(400);
    const pending = callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=2`);
    clock.advance(1_999);
    expect(await isSettled(pending)).toBe(false);
    clock.advance(1);
    expect(parse(await pending).json.status).toBe('User input');
  });

  it('answers early when the user input is posted or the execution canceled', async () => {
    const id = await startFlow(sim, builtInFlows.userInput.id);
    clock.advance(400);
    const first = callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`);
    await call(sim, 'POST', `/flows/executions/${id}/progress`, { body: '{"approved":true}', headers: { 'content-type': 'application/json' } });
    expect(parse(await first).json.status).toBe('Running');
    const second = callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`);
    await call(sim, 'DELETE', `/flows/executions/${id}`);
    expect(parse(await second).json.status).toBe('Canceled');
    expect(clock.pendingTimers).toBe(0);
  });

  it('answers at once for a finished execution', async () => {
    const id = await startFlow(sim);
    clock.advance(10_000);
    expect(await isSettled(callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`))).toBe(true);
  });

  it('never holds longer than maxLongPollSeconds', async () => {
    const s = createSimulator({ clock, maxLongPollSeconds: 5 });
    const id = await startFlow(s, builtInFlows.userInput.id);
    clock.advance(400);
    const pending = callRaw(s, 'GET', `/flows/executions/${id}/progress?timeout=3600`);
    clock.advance(5_000);
    expect(await isSettled(pending)).toBe(true);
  });

  it('stops holding when the client aborts: timer cleared, request counted as aborted', async () => {
    const id = await startFlow(sim, builtInFlows.long.id);
    const controller = new AbortController();
    const pending = callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`, { signal: controller.signal });
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    const res = await pending;
    expect(res.reset).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(sim.stats).toMatchObject({ abortedRequests: 1, openLongPolls: 0 });
    expect(sim.requests.at(-1)).toMatchObject({ route: 'progress', status: 0 });
  });

  it('dispose() ends every held poll at once', async () => {
    const id = await startFlow(sim, builtInFlows.long.id);
    const pending = [1, 2, 3].map(() => callRaw(sim, 'GET', `/flows/executions/${id}/progress?timeout=30`));
    expect(sim.stats.openLongPolls).toBe(3);
    sim.dispose();
    for (const res of await Promise.all(pending)) expect(res.status).toBe(200);
    expect(clock.pendingTimers).toBe(0);
  });
});
