// Suspicion (issue 24): a start aborted by unsubscribing after the POST reached the server
// leaves an execution nobody knows about, even with cancelOnUnsubscribe. Over the wire: the
// simulator has made the execution and sends its answer slowly (half the body, 300 ms, the
// rest), and the subscriber leaves in between.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows, type FlowScript } from 'smart-flows-rx/testing';
import type { Observable } from 'rxjs';
import type { FlowProgress } from '../../lib/api/types';
import { SmartFlowsTimeoutError } from '../../lib/errors';
import { CANCEL_LIMIT_MS } from '../../lib/execution/cancelWhenLeft';
import { FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';
import { useSimulatorServer, wireClient } from '../helpers/wireApi';

// One stage of a minute: the execution runs until someone cancels it.
const stuck: FlowScript = { ...builtInFlows.short, id: '7a7a0000-0000-4000-8000-0000000000a1', stages: [{ message: 'thinking', durationMs: 60_000, percentage: 10 }] };
const server = useSimulatorServer({ flows: [stuck], faults: { slowBodyMs: 300, routes: ['start'] } });

/** Resolves when `check()` holds (looked at after each event-loop turn); rejects after `limitMs`. */
async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 4_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a subscriber that leaves while the start’s answer is on its way', () => {
  it('with cancelOnUnsubscribe: the start is not aborted, and the execution it made is cancelled', async () => {
    const sim = server();
    sim.simulator.resetStats();
    const client = wireClient(sim);
    const sub = client.run(stuck.id, '<Letter/>', { cancelOnUnsubscribe: true }).subscribe({ error: () => undefined });
    await until(() => sim.simulator.stats.executionsStarted === 1, 'the server to make the execution');
    sub.unsubscribe();
    const statusOf = async () => (await lastValueFrom(client.listExecutions({ flowId: stuck.id }))).items[0]?.status;
    // Before the fix: "timed out waiting for the execution to be cancelled" (Running, the start aborted, no DELETE).
    await until(async () => (await statusOf()) === 'Canceled', 'the execution to be cancelled');
    expect(sim.simulator.stats.byRoute.cancel).toBe(1);
    expect(sim.simulator.stats.byRoute.progress).toBe(0);
  });
});

beforeAll(loadEngine);

// The same in virtual time: the start's answer comes at frame `answerAt` (a scripted cold marble).
describe('leaving during the start (virtual time)', () => {
  function scene(answerAt: number, options: { cancelOnUnsubscribe?: boolean; timeoutMs?: number }, leaveAt?: number) {
    const ts = newTestScheduler();
    const seen: { calls: string[]; error?: unknown; startSubscription?: string } = { calls: [] };
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: progress('Running', 10) }) }, { intervalMs: 10, maxIntervalMs: 10 });
      const start$ = cold<FlowProgress>(`${answerAt}ms (a|)`, { a: progress('Running', 0) });
      Object.assign((client as unknown as { api: { start: () => Observable<FlowProgress> } }).api, { start: () => (calls.push(`start@${ts.now()}`), start$) });
      const sub = client.run(FLOW_ID, '<A/>', options).subscribe({ error: (e: unknown) => (seen.error = e) });
      if (leaveAt !== undefined) ts.schedule(() => sub.unsubscribe(), leaveAt);
      ts.flush();
      seen.calls = calls;
      seen.startSubscription = start$.subscriptions.map((s) => `${s.subscribedFrame}-${s.unsubscribedFrame}`).join(' ');
    });
    return seen;
  }

  it('with cancelOnUnsubscribe: the answer that comes after the leaving is cancelled at once', () => {
    const seen = scene(100, { cancelOnUnsubscribe: true }, 40);
    // Before the fix: ['start@0'], the start unsubscribed at 40 (aborted), no cancel.
    expect(seen.calls).toEqual(['start@0', `cancel@100`]);
  });

  it('with cancelOnUnsubscribe: an answer later than CANCEL_LIMIT_MS after the leaving is given up (the start aborted then)', () => {
    const seen = scene(CANCEL_LIMIT_MS + 100, { cancelOnUnsubscribe: true }, 40);
    expect(seen.calls).toEqual(['start@0']);
    expect(seen.startSubscription).toBe(`0-${40 + CANCEL_LIMIT_MS}`);
  });

  it('without cancelOnUnsubscribe: the start is aborted at the leaving, nothing is cancelled', () => {
    const seen = scene(100, {}, 40);
    expect(seen.calls).toEqual(['start@0']);
    expect(seen.startSubscription).toBe('0-40');
  });

  it('a timeout during the start aborts it and sends no cancel (a timeout never cancels)', () => {
    const seen = scene(100, { cancelOnUnsubscribe: true, timeoutMs: 30 });
    expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(seen.calls).toEqual(['start@0']);
    expect(seen.startSubscription).toBe('0-30');
    // The start was sent and not answered: the error says an execution may exist (a caller that
    // simply starts again could run the flow twice), like every start error that cannot tell.
    expect(seen.error).toMatchObject({ executionMayExist: true, message: expect.stringMatching(/^The start did not answer within 30 ms .*an execution may exist; see listExecutions/) });
  });

  it('leaving after the start answered is the ordinary cancel-on-leave (one cancel, no second one)', () => {
    const seen = scene(5, { cancelOnUnsubscribe: true }, 40);
    expect(seen.calls.filter((c) => c.startsWith('cancel'))).toEqual(['cancel@40']);
  });
});
