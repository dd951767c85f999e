import { describe, expect, it } from '@jest/globals';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { DIAGNOSTICS_CHANNELS } from '../../lib/diagnostics/types';
import { isSmartFlowsHttpError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

// A start answered 503 or 429 does not prove the server started nothing: a gateway answered 503
// after the backend had made the execution (the attack on the BullMQ processor, e5), and the
// client sent the start again blind: two executions for one call. Before any resend the client
// now looks for the execution the first attempt may have made (one listing) and adopts it.

const start = useVirtualSimulator();
const SHORT = builtInFlows.short.id;
const letter = (n: number) => `<Letter><No>${n}</No></Letter>`;
const isStartPost = (input: RequestInfo | URL, init?: RequestInit) => init?.method === 'POST' && /\/flows\/executions(\?|$)/.test(String(input));
const isListing = (input: RequestInfo | URL, init?: RequestInit) => (init?.method ?? 'GET') === 'GET' && /\/flows\/[^/]+\/executions(\?|$)/.test(String(input));
const busy = (status: number, retryAfter?: string, dateMs?: number) =>
  new Response('{"message":"upstream busy"}', {
    status,
    headers: {
      'content-type': 'application/json',
      ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}),
      ...(dateMs !== undefined ? { date: new Date(dateMs).toUTCString() } : {}),
    },
  });

/**
 * A fetch in front of the simulator: the first `late` start POSTs reach the server (it makes the
 * execution) and are answered `status` (a gateway's late busy answer); the next `early` ones are
 * answered `status` without reaching it; `listing` may replace the listing's answer; `date` gives
 * the busy answers a Date header (the server's clock).
 */
function gateway(status: number, retryAfter: string | undefined, plan: { late?: number; early?: number; listing?: number; date?: () => number }) {
  let { late = 0, early = 0 } = plan;
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (isStartPost(input, init)) {
      if (early > 0) {
        early--;
        return busy(status, retryAfter, plan.date?.());
      }
      const answer = await globalThis.fetch(input, init);
      if (late-- <= 0) return answer;
      await answer.arrayBuffer();
      return busy(status, retryAfter, plan.date?.());
    }
    if (plan.listing !== undefined && isListing(input, init)) return new Response('{"message":"no"}', { status: plan.listing, headers: { 'content-type': 'application/json' } });
    return globalThis.fetch(input, init);
  };
}

describe('a start answered busy (429, 503): the client looks for the execution before sending it again', () => {
  it.each([
    ['503 with Retry-After', 503, '1'],
    ['503 without Retry-After', 503, undefined],
    ['429 with Retry-After', 429, '1'],
  ])('a %s that came after the server made the execution: one start POST, one listing, the run completes with that execution', async (_name, status, retryAfter) => {
    const sim = start();
    const client = sim.client({ fetch: gateway(status, retryAfter, { late: 1 }), retry: { maxRetries: 4, delayMs: 200, maxDelayMs: 5_000, jitter: false } });
    let output: unknown;
    const done = lastValueFrom(client.run(SHORT, letter(1))).then((e) => (output = e));
    await sim.until(() => output !== undefined, 60_000);
    await done;
    expect(output).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
    expect(sim.simulator.stats.byRoute.start).toBe(1);
    expect(sim.simulator.stats.byRoute.list).toBe(1);
    // The one execution made is the one followed: every progress request asked for it.
    const progress = sim.simulator.requests.filter((r) => r.route === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((r) => r.path.includes((output as { executionId: string }).executionId))).toBe(true);
  });

  it.each([
    ['503', 503],
    ['429', 429],
  ])('a %s before the server made anything: one listing, one resend, one execution', async (_name, status) => {
    const sim = start();
    const client = sim.client({ fetch: gateway(status, '1', { early: 1 }), retry: { maxRetries: 4, delayMs: 200, maxDelayMs: 5_000, jitter: false } });
    const first = await settle(sim, client.startExecution(SHORT, letter(2)));
    expect(first.value).toMatchObject({ status: expect.any(String) });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
    expect(sim.simulator.stats.byRoute.start).toBe(1);
    expect(sim.simulator.stats.byRoute.list).toBe(1);
  });

  it('a resend after a busy answer is still told on the smart-flows-rx:retry channel (once the look found none); an adoption is no retry', async () => {
    const messages: unknown[] = [];
    const on = (message: unknown) => messages.push(message);
    subscribe(DIAGNOSTICS_CHANNELS.retry, on);
    try {
      const sim = start();
      const client = sim.client({ fetch: gateway(503, '2', { early: 1, late: 1 }), retry: { maxRetries: 4, delayMs: 200, maxDelayMs: 5_000, jitter: false } });
      const first = await settle(sim, client.startExecution(SHORT, letter(7)));
      expect(first.error).toBeUndefined();
      expect(sim.simulator.stats.executionsStarted).toBe(1);
      expect(messages).toEqual([{ method: 'POST', route: '/flows/executions', attempt: 1, delayMs: 2_000, retryAfterMs: 2_000, errorType: 'SmartFlowsHttpError', status: 503 }]);
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.retry, on);
    }
  });

  it('sends no listing on the happy path', async () => {
    const sim = start();
    const first = await settle(sim, sim.client().startExecution(SHORT, letter(3)));
    expect(first.value).toMatchObject({ status: expect.any(String) });
    expect(sim.simulator.stats.byRoute.list ?? 0).toBe(0);
  });

  it.each([404, 403])('when the listing answers %i, the start is not sent again blind: the 503 error with executionMayExist', async (listing) => {
    const sim = start();
    const client = sim.client({ fetch: gateway(503, '1', { late: 1, listing }), retry: { maxRetries: 4, delayMs: 200, maxDelayMs: 5_000, jitter: false } });
    const seen = await settle(sim, client.startExecution(SHORT, letter(4)));
    expect(isSmartFlowsHttpError(seen.error)).toBe(true);
    expect(seen.error).toMatchObject({ status: 503, executionMayExist: true });
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });

  it('after retry.maxRetries busy answers, the last one is looked up too: none found, the 503 error without executionMayExist', async () => {
    const sim = start();
    const client = sim.client({ fetch: gateway(503, undefined, { early: 10 }), retry: { maxRetries: 2, delayMs: 100, maxDelayMs: 1_000, jitter: false } });
    const seen = await settle(sim, client.startExecution(SHORT, letter(5)));
    expect(seen.error).toMatchObject({ status: 503 });
    expect((seen.error as { executionMayExist?: boolean }).executionMayExist).toBeUndefined();
    expect(sim.simulator.stats.executionsStarted).toBe(0);
  });

  it('after retry.maxRetries busy answers, the last of which came after the server made it: adopted', async () => {
    const sim = start();
    const client = sim.client({ fetch: gateway(503, undefined, { early: 2, late: 1 }), retry: { maxRetries: 2, delayMs: 100, maxDelayMs: 1_000, jitter: false } });
    const seen = await settle(sim, client.startExecution(SHORT, letter(6)));
    expect(seen.error).toBeUndefined();
    expect(sim.simulator.stats.executionsStarted).toBe(1);
    expect(sim.simulator.requests.find((r) => r.route === 'progress')?.path).toContain(seen.value!.id);
  });
  it.each([
    ['after the server made the execution: adopted, reading only the executions made at the call', { late: 1 }, 11],
    ['before the server made anything: none in the window, nothing read, sent again', { early: 1 }, 0],
  ])('a 503 with the server\'s Date on a flow others keep starting (10 executions of other users at each start, 44 from before the call), %s', async (_name, plan, maxReads) => {
    const sim = start({ listing: { otherUsersPerStart: 10 } });
    // Executions of other users from before the call: 4 starts of another client, 10 minutes apart.
    const other = sim.client();
    for (let n = 0; n < 4; n++) {
      expect((await settle(sim, other.startExecution(SHORT, letter(100 + n)))).error).toBeUndefined();
      await sim.advance(600_000, 10_000);
    }
    sim.simulator.resetStats();
    // This machine's clock (the client's scheduler) agrees with the server's: a Date later than it is not used.
    sim.scheduler.now = () => sim.simulator.clock.now();
    const client = sim.client({ fetch: gateway(503, '1', { ...plan, date: () => sim.simulator.clock.now() }), retry: { maxRetries: 4, delayMs: 200, maxDelayMs: 5_000, jitter: false } });
    const seen = await settle(sim, client.startExecution(SHORT, letter(8)));
    expect(seen.error).toBeUndefined();
    expect(sim.simulator.stats.byRoute.list).toBe(1);
    // Without the Date the 44 from the last hour were candidates too (16 read; the early case then could not tell).
    expect(sim.simulator.stats.byRoute.execution ?? 0).toBeLessThanOrEqual(maxReads);
    // One start reached the server: the late 503's (adopted), or the resend after the early one.
    expect(sim.simulator.stats.byRoute.start).toBe(1);
    expect(sim.simulator.stats.executionsStarted).toBe(1);
  });
});

/** Subscribes `source$` and advances virtual time until it settles: its first value or its error. */
async function settle<T>(sim: ReturnType<typeof start>, source$: import('rxjs').Observable<T>): Promise<{ value?: T; error?: unknown }> {
  const seen: { value?: T; error?: unknown; done?: boolean } = {};
  const subscription = source$.subscribe({
    next: (value) => {
      seen.value ??= value;
      seen.done = true;
    },
    error: (error: unknown) => {
      seen.error = error;
      seen.done = true;
    },
    complete: () => (seen.done = true),
  });
  await sim.until(() => seen.done === true, 60_000);
  subscription.unsubscribe();
  return seen;
}
