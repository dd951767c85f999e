import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { fc, test } from '@fast-check/jest';
import { setupServer } from 'msw/node';
import { type Subscription, VirtualTimeScheduler } from 'rxjs';
import { builtInFlows, createSimulator, createSimulatorHandlers, createVirtualClock, type FlowScript } from 'smart-flows-rx/testing';
import type { ExecutionEvent, FlowStatus } from '../../lib/api/types';
import { SmartFlowsClient } from '../../lib/client';
import type { BatchSnapshot } from '../../lib/execution/batchTypes';
import { withFutureItem } from '../tracker/futureItem';

/**
 * A model of the followers of ONE execution: a `run` or a `runBatch` job starts it, any number of
 * `watch`es join it, each with `tracking` 'polling' or 'listing', `cancelOnUnsubscribe`,
 * `timeoutMs` and `onUserInput`, and each may leave at any time, by unsubscribing or through its
 * `signal` (an abort leaves as an unsubscription does, then errors that follower alone); for a flow with a
 * form, the same client answers it at some time. Everything runs on the simulator's engine and a
 * virtual clock shared with the client's scheduler (msw, no socket, no wall-clock wait). Checked
 * after every follower has ended:
 * - each follower that stayed ends with the true outcome (the simulator's final status), or with
 *   its own timeout when that came before the end (either one within the lag of a poll);
 * - a follower that aborts ends at once with the AbortError, carrying the execution's id once it
 *   knew it (a batch: the batch's AbortError), and no abort listener is left on any signal;
 * - no cancel reaches the server unless a follower with `cancelOnUnsubscribe` left while the
 *   execution ran (and a run's or a batch's leave then does send one);
 * - requests are bounded: one listing request per tracker cycle, progress requests by the
 *   followers' poll intervals, one output GET per follower at most;
 * - nothing is left: no scheduler action (tracker cycle, poll timer, deadline) once all ended.
 *
 * On a failure fast-check prints the seed and the shrunk scenario. To replay one scenario:
 * `MODEL_SCENARIO='<the counterexample object>' npx jest spec/model/followers.spec.ts -t replay`
 * (add `MODEL_DEBUG=1` for the tracker's debug events and each follower's events); for a longer
 * hunt: `MODEL_RUNS=500` (with `MODEL_SEED=<n>` to choose its seed, and `MODEL_SERVER='{"futureItem":true}'`
 * to fix fields of the server's record).
 */

const BASE = 'https://flows.model.test';
const STEP_MS = 25;
const TRACKER_INTERVAL_MS = 200;
const POLL_INTERVAL_MS = 100;
/** How late a follower may see the end (a listing cycle, a confirm, a poll at its longest): a timeout in that window may win. */
const LAG_MS = 1_000;
/** Scenarios per run: 30 keep the spec within a few seconds; `MODEL_RUNS=500` for a longer hunt. */
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 30);
/** `MODEL_SEED=<n>`: the hunt's seed (fast-check picks one otherwise, and prints it on a failure). */
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);
/** `MODEL_SERVER='{"futureItem":true,"lagMs":300}'`: fixes those fields of every scenario's server (a hunt on one kind of server). */
const SERVER: Partial<Scenario['server']> = process.env.MODEL_SERVER ? (JSON.parse(process.env.MODEL_SERVER) as Partial<Scenario['server']>) : {};

// The built-in flows, faster: every stage 400 ms, a queue of 800 ms.
const fast = (script: FlowScript): FlowScript => ({
  ...script,
  ...(script.queueMs ? { queueMs: 800 } : {}),
  stages: script.stages.map((s) => ({ ...s, durationMs: 400 })),
});
const FLOWS = {
  success: fast(builtInFlows.short),
  warning: fast(builtInFlows.warning),
  error: fast(builtInFlows.error),
  interrupted: fast(builtInFlows.interrupted),
  queued: fast(builtInFlows.queued),
  form: fast(builtInFlows.userInput),
};
type FlowName = keyof typeof FLOWS;
/** When the form shows (after two stages of 400 ms, and the start's few ms). */
const FORM_AT_MS = 850;

interface FollowerSpec {
  kind: 'run' | 'batch' | 'watch';
  tracking: 'polling' | 'listing';
  cancelOnUnsubscribe: boolean;
  timeoutMs: number;
  onUserInput: 'wait' | 'error';
  /** Virtual ms from the scenario's start (0 for the starter). */
  joinAtMs: number;
  /** Leaves this long after joining, if it has not ended by then. */
  leaveAfterMs?: number;
  /** How it leaves: unsubscribing, or aborting the `signal` it was given. */
  leaveBy?: 'unsubscribe' | 'abort';
}

interface Scenario {
  flow: FlowName;
  starter: FollowerSpec;
  watchers: FollowerSpec[];
  /** When the client answers the form (flow `form`). */
  submitAtMs: number;
  /**
   * How the server lists (a lagging listing, other users' executions, one of them stamped a day
   * ahead: `futureItem`) and which feed the tracker reads.
   */
  server: { lagMs: number; otherUsersPerStart: number; feed: 'filter' | 'list'; futureItem?: boolean };
}

const options = (kind: FollowerSpec['kind'], joinAtMs: fc.Arbitrary<number>) =>
  fc.record({
    kind: fc.constant(kind),
    tracking: fc.constantFrom('polling' as const, 'listing' as const),
    cancelOnUnsubscribe: fc.boolean(),
    timeoutMs: fc.oneof(fc.constant(0), fc.integer({ min: 200, max: 6_000 })),
    onUserInput: fc.constantFrom('wait' as const, 'error' as const),
    joinAtMs,
    leaveAfterMs: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
    leaveBy: fc.constantFrom('unsubscribe' as const, 'abort' as const),
  });

const watcherArb = options('watch', fc.integer({ min: 100, max: 5_000 }));
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  flow: fc.constantFrom(...(Object.keys(FLOWS) as FlowName[])),
  starter: fc.oneof(options('run', fc.constant(0)), options('batch', fc.constant(0))),
  watchers: fc.array(watcherArb, { maxLength: 4 }),
  submitAtMs: fc.integer({ min: 1_200, max: 4_000 }),
  server: fc
    .record({
      lagMs: fc.constantFrom(0, 0, 300),
      otherUsersPerStart: fc.constantFrom(0, 0, 80),
      feed: fc.constantFrom('filter' as const, 'list' as const),
      futureItem: fc.boolean(),
    })
    .map((server) => ({ ...server, ...SERVER })),
});

/** How one follower ended, as the model compares it. */
interface Seen {
  spec: FollowerSpec;
  subscription?: Subscription;
  executionId?: string;
  /** `output:<status>`, `error:<name>:<status>`, `timeout`, or undefined while open (or after leaving). */
  end?: string;
  endAtMs?: number;
  leftAtMs?: number;
  /** The virtual time it subscribed at (the first step at or after `joinAtMs`). */
  joinedAtMs?: number;
  /** Never subscribed: the starter left before the execution had an id. */
  skipped?: boolean;
  /** Whether the execution had ended on the server when this follower left. */
  leftAfterServerEnd?: boolean;
  /** Its signal (every follower has one; it aborts it only with `leaveBy: 'abort'`). */
  controller?: AbortController;
  /** The error it ended with, when it was an abort. */
  abortError?: { executionId?: string };
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const describeError = (error: unknown): string => {
  const e = error as { name?: string; status?: string };
  if (e?.name === 'SmartFlowsTimeoutError') return 'timeout';
  if (e?.name === 'AbortError') return 'abort';
  return `error:${e?.name}:${e?.status ?? ''}`;
};

async function runScenario(scenario: Scenario): Promise<void> {
  server.resetHandlers();
  const clock = createVirtualClock();
  const simulator = createSimulator({ seed: 7, clock, flows: Object.values(FLOWS), requestLogLimit: 100_000, listing: { lagMs: scenario.server.lagMs, otherUsersPerStart: scenario.server.otherUsersPerStart } });
  server.use(...createSimulatorHandlers(simulator, { baseUrl: BASE }));
  const scheduler = new VirtualTimeScheduler();
  const clockAtZero = clock.now();
  let fallbacks = 0;
  const client = new SmartFlowsClient({
    baseUrl: BASE,
    apiKey: simulator.apiKey,
    scheduler,
    ...(scenario.server.futureItem ? { fetch: withFutureItem } : {}),
    polling: { intervalMs: POLL_INTERVAL_MS, maxIntervalMs: 400, idleIntervalMs: 400 },
    tracker: {
      intervalMs: TRACKER_INTERVAL_MS,
      feed: scenario.server.feed,
      onDebug: (e) => {
        if (e.type === 'fallback') fallbacks++;
        if (process.env.MODEL_DEBUG) console.log(scheduler.now(), JSON.stringify(e));
      },
    },
  });
  const flow = FLOWS[scenario.flow];
  const followers: Seen[] = [scenario.starter, ...scenario.watchers].map((spec) => ({ spec }));
  let now = 0;
  let executionId: string | undefined;
  /** Server time (scheduler ms) the execution ended, once it has. */
  let serverEndAtMs: number | undefined;

  const follow = (seen: Seen): void => {
    const { spec } = seen;
    seen.joinedAtMs = now;
    seen.controller = new AbortController();
    const opts = { tracking: spec.tracking, cancelOnUnsubscribe: spec.cancelOnUnsubscribe, timeoutMs: spec.timeoutMs, onUserInput: spec.onUserInput, signal: seen.controller.signal };
    const ended = (end: string) => {
      seen.end = end;
      seen.endAtMs = scheduler.now();
    };
    const failed = (e: unknown) => {
      if ((e as Error)?.name === 'AbortError') seen.abortError = e as { executionId?: string };
      ended(describeError(e));
    };
    if (spec.kind === 'batch') {
      let last: BatchSnapshot | undefined;
      seen.subscription = client.runBatch([{ flowId: flow.id, input: '<A/>' }], { ...opts, concurrency: 1, snapshotIntervalMs: 0 }).subscribe({
        next: (s) => {
          last = s;
          const item = s.items[0];
          if (item?.executionId) seen.executionId = executionId ??= item.executionId;
          if (!s.done || !item) return;
          if (item.state === 'succeeded') ended(`output:${item.execution?.status}`);
          else ended(describeError(item.error));
        },
        error: (e: unknown) => ((e as Error)?.name === 'AbortError' ? failed(e) : ended(`batch-error:${String(e)}`)),
        complete: () => {
          if (!last?.done) ended('batch-complete-without-done');
        },
      });
      return;
    }
    const events$ = spec.kind === 'run' ? client.run(flow.id, '<A/>', opts) : client.watch(executionId!, opts);
    let last: ExecutionEvent | undefined;
    seen.subscription = events$.subscribe({
      next: (e) => {
        if (process.env.MODEL_DEBUG) console.log(scheduler.now(), spec.kind, e.type, e.progress.status, e.progress.percentage);
        last = e;
        seen.executionId = executionId ??= e.executionId;
      },
      error: failed,
      complete: () => ended(last?.type === 'output' ? `output:${last.execution.status}` : `complete-after:${last?.type}`),
    });
  };

  const serverStatus = async (): Promise<{ status: FlowStatus; modifiedAt?: string } | undefined> => {
    if (!executionId) return undefined;
    const res = await simulator.handle({ method: 'GET', url: `/api/v1/flows/executions/${executionId}?model=truth`, headers: { 'x-api-key': simulator.apiKey } });
    const body = JSON.parse(String(res.body)) as { status: string; modifiedAt?: string };
    return { status: normalize(body.status), modifiedAt: body.modifiedAt };
  };

  const pending = (s: Seen) => s.subscription !== undefined && s.end === undefined && s.leftAtMs === undefined;
  let submitted = false;
  const limitMs = 30_000;
  follow(followers[0]!);
  // Until every follower has ended or left, and the execution has ended on the server (the form answered).
  const waiting = (s: Seen) => (s.subscription === undefined && !s.skipped) || pending(s);
  while (followers.some(waiting) || (executionId !== undefined && serverEndAtMs === undefined)) {
    if (now >= limitMs) throw new Error(`followers still open after ${limitMs} ms of virtual time: ${JSON.stringify(followers.map(({ spec, end, leftAtMs }) => ({ spec, end, leftAtMs })))}`);
    // This step's actions: joins, leaves, the form's answer.
    for (const s of followers) {
      if (!s.subscription && !s.skipped && s.spec.joinAtMs <= now) {
        // The starter left before the start answered: there is nothing to watch.
        if (!executionId && !pending(followers[0]!)) s.skipped = true;
        else if (!executionId) throw new Error(`no execution id at ${now} ms: the start did not answer`);
        else follow(s);
      }
      if (pending(s) && s.spec.leaveAfterMs !== undefined && s.spec.joinAtMs + s.spec.leaveAfterMs <= now) {
        const status = await serverStatus();
        s.leftAfterServerEnd = status !== undefined && isEnd(status.status);
        s.leftAtMs = now;
        if (s.spec.leaveBy !== 'abort') s.subscription!.unsubscribe();
        else {
          const knewId = s.executionId;
          s.controller!.abort(new Error('left'));
          // At once, with the id it knew (a batch's error names no single execution).
          if (s.end !== 'abort') throw new Error(`${s.spec.kind} aborted at ${now} ms ended with ${s.end}, not the AbortError`);
          if (s.spec.kind !== 'batch') expect(s.abortError?.executionId).toBe(s.spec.kind === 'watch' ? executionId : knewId);
        }
      }
    }
    if (scenario.flow === 'form' && !submitted && executionId && now >= scenario.submitAtMs) {
      submitted = true;
      client.submitUserInput(executionId, { approved: true }).subscribe({ error: () => undefined });
    }
    await settle();
    now += STEP_MS;
    scheduler.maxFrames = now;
    scheduler.flush();
    scheduler.frame = now;
    await clock.advanceAsync(STEP_MS);
    if (serverEndAtMs === undefined) {
      const status = await serverStatus();
      if (status && isEnd(status.status)) serverEndAtMs = Date.parse(status.modifiedAt!) - clockAtZero;
    }
  }
  // Cancels sent on leaving are bounded in time (5 s): then nothing may be left scheduled.
  for (let k = 0; k < 6_000 / STEP_MS && scheduler.actions.length > 0; k++) {
    await settle();
    now += STEP_MS;
    scheduler.maxFrames = now;
    scheduler.flush();
    scheduler.frame = now;
    await clock.advanceAsync(STEP_MS);
  }
  await settle();
  // The model's own reads of the truth are not the client's.
  const requests = simulator.requests.filter((r) => !r.path.includes('model=truth'));
  const final = (await serverStatus())?.status ?? 'Unknown';

  // Nothing left behind: no timer of the client's, no request the server still holds.
  expect(scheduler.actions).toHaveLength(0);
  for (const s of followers) if (s.controller) expect(getEventListeners(s.controller.signal, 'abort')).toHaveLength(0);
  expect(simulator.stats.openLongPolls).toBe(0);

  // Each follower that stayed ends with the true outcome, or with its own timeout before the end.
  const endAt = isEnd(final) ? (serverEndAtMs ?? now) : Infinity;
  for (const s of followers) {
    if (s.leftAtMs !== undefined || s.skipped) continue;
    const { spec } = s;
    const trueEnd = final === 'Success' || final === 'Warning' ? `output:${final}` : `error:FlowExecutionError:${final}`;
    const accepted = new Set<string>();
    // From the step it actually subscribed in (joins happen on the 25 ms steps).
    const joinedAt = s.joinedAtMs!;
    const timeoutAt = spec.timeoutMs > 0 ? joinedAt + spec.timeoutMs : Infinity;
    if (timeoutAt < endAt + LAG_MS) accepted.add('timeout');
    if (timeoutAt >= endAt) accepted.add(trueEnd);
    if (scenario.flow === 'form' && spec.onUserInput === 'error') {
      // It may see the form from when it is shown until the answer; it must, where it followed it
      // long enough: a read of the form may be held up to 1 s (timeout=1) and ends at the answer.
      if (joinedAt < scenario.submitAtMs + LAG_MS) accepted.add('error:FlowExecutionError:UserInput');
      // (Unless the execution ended before the answer: canceled before or during the form.)
      if (Math.max(joinedAt, FORM_AT_MS) + 2 * LAG_MS <= scenario.submitAtMs && timeoutAt > scenario.submitAtMs && endAt > scenario.submitAtMs) accepted.delete(trueEnd);
    }
    if (!accepted.has(s.end!)) {
      throw new Error(`${spec.kind} ${JSON.stringify(spec)} ended with ${s.end} at ${s.endAtMs} ms; expected one of ${[...accepted].join(', ')} (final ${final} at ${endAt} ms)`);
    }
  }

  // No cancel unless a follower with cancelOnUnsubscribe left while the execution ran.
  const cancels = requests.filter((r) => r.route === 'cancel').length;
  // (Its stream had not ended: the client may not know yet that the execution has ended on the server. A run or a
  // batch may also leave during its start: a start that reached the server is then canceled once it answers. A
  // watch knows its execution from the start: left before its first event, it cancels too.)
  const leftRunning = followers.filter((s) => s.spec.cancelOnUnsubscribe && s.leftAtMs !== undefined);
  if (cancels > 0) expect(leftRunning.length).toBeGreaterThan(0);
  expect(cancels).toBeLessThanOrEqual(leftRunning.length);
  // A run or a batch that leaves while the execution runs cancels it (a watch only as the last of its shared loop).
  const starter = followers[0]!;
  if (starter.spec.cancelOnUnsubscribe && starter.leftAtMs !== undefined && !starter.leftAfterServerEnd && starter.executionId !== undefined) {
    expect(cancels).toBeGreaterThan(0);
  }

  // Requests bounded: per tracker cycle one listing request; progress by each follower's polls; one output GET each.
  const route = (name: string) => requests.filter((r) => r.route === name).length;
  const spanMs = now;
  expect(route('list')).toBeLessThanOrEqual(Math.ceil(spanMs / TRACKER_INTERVAL_MS) + 1);
  expect(route('progress')).toBeLessThanOrEqual(followers.length * (Math.ceil(spanMs / POLL_INTERVAL_MS) + 3));
  expect(route('execution')).toBeLessThanOrEqual(followers.length + 1);
  // Through the listing alone: a watch's first read, and the form's reads (one on showing, one on this client's answer, each follower).
  if (followers.every((s) => s.spec.tracking === 'listing') && fallbacks === 0) {
    expect(route('progress')).toBeLessThanOrEqual(scenario.watchers.length + (scenario.flow === 'form' ? 2 * followers.length : 0));
  }
}

const ENDS: readonly FlowStatus[] = ['Success', 'Warning', 'Error', 'Canceled', 'Interrupted'];
const isEnd = (status: FlowStatus) => ENDS.includes(status);
/** The simulator's default ('seed') spellings, back to the client's statuses. */
function normalize(raw: string): FlowStatus {
  const known: Record<string, FlowStatus> = { succeeded: 'Success', success: 'Success', warning: 'Warning', error: 'Error', failed: 'Error', canceled: 'Canceled', cancelled: 'Canceled', interrupted: 'Interrupted', 'user input': 'UserInput' };
  return known[raw.toLowerCase()] ?? (raw as FlowStatus);
}

describe('followers of one execution (model, virtual time)', () => {
  if (process.env.MODEL_SCENARIO) test('replay', async () => runScenario(JSON.parse(process.env.MODEL_SCENARIO!) as Scenario));

  // Fixed examples: scenarios the model once failed on, run whatever the seed.
  // First in the file: the engine and the tracker are not loaded yet (a fresh module registry), as in a browser's first run.
  test('a run aborted at 0 ms, before the engine and the tracker have loaded: it ends at once with the AbortError (the counterexample of seed 1)', async () =>
    runScenario({
      flow: 'warning',
      starter: { kind: 'run', tracking: 'listing', cancelOnUnsubscribe: false, timeoutMs: 0, onUserInput: 'wait', joinAtMs: 0, leaveAfterMs: 0, leaveBy: 'abort' },
      watchers: [],
      submitAtMs: 3762,
      server: { lagMs: 0, otherUsersPerStart: 80, feed: 'list', futureItem: true },
    }));
  test('a run tracked through a lagging listing that an item from the future tops: the listing shows its end (CI, Node 24, seed -485164943)', async () =>
    runScenario({
      flow: 'success',
      starter: { kind: 'run', tracking: 'listing', cancelOnUnsubscribe: false, timeoutMs: 2200, onUserInput: 'wait', joinAtMs: 0, leaveBy: 'unsubscribe' },
      watchers: [],
      submitAtMs: 1200,
      server: { lagMs: 300, otherUsersPerStart: 80, feed: 'filter', futureItem: true },
    }));

  // @fast-check/jest stops (and passes) at Jest's timeout: a hunt gets the time its runs need.
  test.prop([scenarioArb], { numRuns: NUM_RUNS, ...(SEED === undefined ? {} : { seed: SEED }) })(
    'each ends with the true outcome, no cancel unless asked, requests bounded, nothing left',
    async (scenario) => {
      await runScenario(scenario);
    },
    Math.max(20_000, NUM_RUNS * 1_000),
  );
});
