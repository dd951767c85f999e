import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type ProgressHoldOptions, type Simulator, type VirtualClock } from 'smart-flows-rx/testing';
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

describe('long poll: the progressHold modes (how a server may treat timeout)', () => {
  /** Starts a userInput execution (it waits for a person, so nothing changes by itself) on a simulator with `progressHold`. */
  async function waitingExecution(progressHold: ProgressHoldOptions) {
    const s = createSimulator({ clock, seed: 5, progressHold });
    const id = await startFlow(s, builtInFlows.userInput.id);
    clock.advance(400);
    return { s, id };
  }

  /** How long (virtual ms) the progress call with `query` is held: advances in 1 s steps up to 200 s. */
  async function heldMs(s: Simulator, id: string, query: string): Promise<number> {
    const pending = callRaw(s, 'GET', `/flows/executions/${id}/progress${query}`);
    for (let ms = 0; ms <= 200_000; ms += 1_000) {
      if (await isSettled(pending)) {
        expect(parse(await pending).status).toBe(200);
        return ms;
      }
      clock.advance(1_000);
    }
    throw new Error('still held after 200 s');
  }

  it.each<[string, ProgressHoldOptions, string, number]>([
    ["'default' 30 s", { mode: 'default' }, '', 30_000],
    ["'default' 30 s", { mode: 'default' }, '?timeout=-1', 0],
    ["'default' 30 s", { mode: 'default' }, '?timeout=0', 0],
    ["'default' 30 s", { mode: 'default' }, '?timeout=1', 1_000],
    ["'default' 30 s", { mode: 'default' }, '?timeout=10', 10_000],
    ["'default' 30 s, -1 = the default", { mode: 'default', minusOne: 'default' }, '?timeout=-1', 30_000],
    ["'default' 30 s, 0 = the default", { mode: 'default', zero: 'default' }, '?timeout=0', 30_000],
    ["'default' 20 s, 0 = until a change (capped at maxLongPollSeconds 120)", { mode: 'default', defaultSeconds: 20, zero: 'forever' }, '?timeout=0', 120_000],
    ["'ignore' 30 s", { mode: 'ignore' }, '?timeout=1', 30_000],
    ["'ignore' 30 s", { mode: 'ignore' }, '?timeout=-1', 30_000],
    ["'ignore' 30 s", { mode: 'ignore' }, '?timeout=60', 30_000],
    ["'ignore' 0 s (never holds)", { mode: 'ignore', defaultSeconds: 0 }, '?timeout=30', 0],
    ["'asked' (the default)", { mode: 'asked' }, '', 0],
    ["'asked' (the default)", { mode: 'asked' }, '?timeout=5', 5_000],
  ])('%s holds %j for the expected time', async (_name, hold, query, ms) => {
    const { s, id } = await waitingExecution(hold);
    expect(await heldMs(s, id, query)).toBe(ms);
    expect(s.stats.openLongPolls).toBe(0);
  });

  it('a default hold still ends early when the progress changes', async () => {
    const s = createSimulator({ clock, seed: 5, progressHold: { mode: 'default' } });
    const id = await startFlow(s, builtInFlows.long.id);
    const pending = callRaw(s, 'GET', `/flows/executions/${id}/progress`);
    clock.advance(999);
    expect(await isSettled(pending)).toBe(false);
    clock.advance(1);
    expect(parse(await pending).json).toMatchObject({ percentage: 10, message: 'Collect figures' });
  });

  it("an 'ignore' server does not refuse a timeout that is not a number; the others answer 400", async () => {
    const ignoring = await waitingExecution({ mode: 'ignore', defaultSeconds: 0 });
    expect((await call(ignoring.s, 'GET', `/flows/executions/${ignoring.id}/progress?timeout=soon`)).status).toBe(200);
    const byDefault = await waitingExecution({ mode: 'default' });
    expect((await call(byDefault.s, 'GET', `/flows/executions/${byDefault.id}/progress?timeout=soon`)).status).toBe(400);
  });

  it('refuses an unknown mode when the simulator is created', () => {
    expect(() => createSimulator({ progressHold: { mode: 'often' as never } })).toThrow(/progressHold.mode/);
  });
});
