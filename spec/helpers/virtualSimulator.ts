import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer } from 'msw/node';
import { VirtualTimeScheduler } from 'rxjs';
import { createSimulator, createSimulatorHandlers, createVirtualClock, type Simulator, type SimulatorOptions } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../lib/client';
import type { SmartFlowsClientOptions } from '../../lib/options';

const BASE = 'https://flows.sim.test';

/** One macrotask turn: lets every pending promise (fetch, msw, the simulator) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * msw for one spec file, answering from a fresh simulator per test. The simulator's clock
 * and the clients' schedulers are both virtual and move together in `advance`, so request
 * counts do not depend on the machine's speed.
 */
export function useVirtualSimulator() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  return function start(options: SimulatorOptions = {}) {
    const clock = createVirtualClock();
    const simulator: Simulator = createSimulator({ seed: 7, ...options, clock });
    server.use(...createSimulatorHandlers(simulator, { baseUrl: BASE }));
    const scheduler = new VirtualTimeScheduler();
    let virtualMs = 0;

    /** A client of this simulator on the shared virtual time. */
    const client = (overrides: Partial<SmartFlowsClientOptions> = {}) =>
      new SmartFlowsClient({
        baseUrl: BASE,
        apiKey: simulator.apiKey,
        scheduler,
        ...overrides,
        polling: { intervalMs: 50, maxIntervalMs: 200, idleIntervalMs: 200, ...overrides.polling },
      });

    /** Moves both clocks `ms` forward in steps, letting requests and answers settle between. */
    const advance = async (ms: number, stepMs = 25) => {
      for (const end = virtualMs + ms; virtualMs < end; ) {
        await settle();
        virtualMs += stepMs;
        scheduler.maxFrames = virtualMs;
        scheduler.flush();
        // The scheduler's clock stops at its last action; bring it to the step's end, so the
        // next timers count from the same "now" as the simulator's clock.
        scheduler.frame = virtualMs;
        await clock.advanceAsync(stepMs);
      }
      await settle();
    };

    /** Advances until `done()` holds; fails after `limitMs` of virtual time. */
    const until = async (done: () => boolean, limitMs = 60_000) => {
      for (let waited = 0; !done(); waited += 100) {
        if (waited >= limitMs) throw new Error(`not done after ${limitMs} ms of virtual time`);
        await advance(100);
      }
    };

    /** Progress requests the simulator received for one execution. */
    const progressCalls = (executionId: string) =>
      simulator.requests.filter((r) => r.route === 'progress' && r.path.includes(executionId)).length;

    return { simulator, scheduler, client, advance, until, progressCalls };
  };
}
