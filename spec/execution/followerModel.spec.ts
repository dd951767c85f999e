// A model of one follower (issue 24): `run` or `watch` of one execution, with any timeoutMs,
// cancelOnUnsubscribe, onUserInput, waitSeconds, and any unsubscribe time, against a server
// whose execution changes, may ask for user input, may hold long polls, and ends (or not) at any
// time with any status. All on a TestScheduler: the follower's timers and the server's answers
// share one virtual clock. Checked for every generated case:
// - the stream ends with the true outcome, at the right time (no later than the end can be seen);
// - a cancel is sent iff the subscriber left (not timed out, not errored, not completed) while
//   the execution ran as far as it knew, with cancelOnUnsubscribe;
// - requests bounded: against a server that never holds, no two quick polls in a row (a held
//   answer took at least intervalMs); against one that holds, bursts of at most
//   QUICK_NEWS_LIMIT + 1; none after the stream ended or was left.
// The many-followers model (several run/watch/batch of one execution) is spec/tracker's.
import { beforeAll, describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import type { Observable } from 'rxjs';
import type { FlowExecution, FlowProgress, FlowStatus } from '../../lib/api/types';
import { isSuccessStatus } from '../../lib/api/status';
import { FlowExecutionError, SmartFlowsTimeoutError } from '../../lib/errors';
import { QUICK_NEWS_LIMIT } from '../../lib/execution/holdPolicy';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

const POLLING = { intervalMs: 100, maxIntervalMs: 400, idleIntervalMs: 500 };
/** Where the harness leaves a stream nobody left before (an unsubscribe too). */
const HORIZON_MS = 7_000;
/** Longest from the end on the server to the end of the stream: one delay, the poll, the output GET. */
const SEE_END_MS = Math.max(POLLING.maxIntervalMs, POLLING.idleIntervalMs) + 3;
const ENDS = ['Success', 'Warning', 'Error', 'Canceled', 'Interrupted'] as const;

beforeAll(loadEngine);

const scenario = fc.record({
  kind: fc.constantFrom('run' as const, 'watch' as const),
  timeoutMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6_000 })),
  cancelOnUnsubscribe: fc.boolean(),
  onUserInput: fc.constantFrom('wait' as const, 'error' as const),
  waitSeconds: fc.constantFrom(0, 'auto' as const),
  leaveAt: fc.option(fc.integer({ min: 0, max: 6_000 }), { nil: undefined }),
  server: fc.record({
    endAt: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
    endStatus: fc.constantFrom(...ENDS),
    changes: fc.uniqueArray(fc.integer({ min: 1, max: 5_000 }), { maxLength: 6 }),
    userInput: fc.option(fc.record({ startAt: fc.integer({ min: 1, max: 4_000 }), forMs: fc.integer({ min: 1, max: 1_500 }) }), { nil: undefined }),
    holds: fc.boolean(),
  }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;
type Server = Scenario['server'];

/** The execution on the server at time `t`. */
function stateAt(server: Server, t: number): FlowProgress {
  const percentage = Math.min(90, 10 * server.changes.filter((c) => c <= t).length);
  if (server.endAt !== undefined && t >= server.endAt) return progress(server.endStatus, isSuccessStatus(server.endStatus) ? 100 : percentage, 'end');
  const ui = server.userInput;
  if (ui && t >= ui.startAt && t < ui.startAt + ui.forMs) return progress('UserInput', percentage, 'form');
  return progress('Running', percentage, `at ${percentage}`);
}

/** The first time after `t` at which the execution changes (a held poll answers then). */
function nextChangeAfter(server: Server, t: number): number {
  const ui = server.userInput;
  const times = [...server.changes, ...(server.endAt !== undefined ? [server.endAt] : []), ...(ui ? [ui.startAt, ui.startAt + ui.forMs] : [])];
  return Math.min(...times.filter((c) => c > t));
}

interface Seen {
  events: { at: number; type: string; status: FlowStatus; percentage: number; executionId: string }[];
  end?: { at: number; error?: unknown };
  /** What the subscriber had seen when it left (undefined: it never left, the stream ended first). */
  left?: { at: number; events: number; terminalSeen: boolean };
  polls: { at: number; answeredAt: number }[];
  cancels: number[];
}

function follow(s: Scenario): Seen {
  const ts = newTestScheduler();
  const seen: Seen = { events: [], polls: [], cancels: [] };
  ts.run(({ cold }) => {
    const { client } = marbleClient(ts, { progress: () => cold('-') }, { ...POLLING, waitSeconds: s.waitSeconds });
    const answer = <T>(afterMs: number, value: T): Observable<T> => cold<T>(`${afterMs}ms (a|)`, { a: value });
    Object.assign((client as unknown as { api: object }).api, {
      start: () => answer(1, progress('Running', 0, 'started')),
      progress: (_id: string, waitSeconds: number) => {
        const now = ts.now();
        // A holding server holds until the execution changes (an ended one: not at all).
        const ended = s.server.endAt !== undefined && now >= s.server.endAt;
        const answeredAt = s.server.holds && waitSeconds > 0 && !ended ? Math.max(now + 1, Math.min(nextChangeAfter(s.server, now), now + waitSeconds * 1000)) : now + 1;
        seen.polls.push({ at: now, answeredAt });
        return answer(answeredAt - now, stateAt(s.server, answeredAt));
      },
      execution: () => {
        const state = stateAt(s.server, ts.now() + 1);
        return answer<FlowExecution>(1, { id: EXEC_ID, status: state.status, rawStatus: state.status });
      },
      cancel: () => (seen.cancels.push(ts.now()), answer(1, undefined)),
    });
    const options = { timeoutMs: s.timeoutMs, cancelOnUnsubscribe: s.cancelOnUnsubscribe, onUserInput: s.onUserInput };
    const stream = s.kind === 'run' ? client.run(FLOW_ID, '<A/>', options) : client.watch(EXEC_ID, options);
    const sub = stream.subscribe({
      next: (e) => seen.events.push({ at: ts.now(), type: e.type, status: e.progress.status, percentage: e.progress.percentage, executionId: e.executionId }),
      error: (error: unknown) => (seen.end = { at: ts.now(), error }),
      complete: () => (seen.end = { at: ts.now() }),
    });
    ts.schedule(() => {
      if (seen.end) return;
      seen.left = { at: ts.now(), events: seen.events.length, terminalSeen: seen.events.some((e) => ENDS.includes(e.status as (typeof ENDS)[number])) };
      sub.unsubscribe();
    }, s.leaveAt ?? HORIZON_MS);
    ts.flush();
  });
  return seen;
}

describe('one follower: timeout × cancelOnUnsubscribe × onUserInput × long poll × unsubscribe × server end', () => {
  test.prop([scenario], { numRuns: 500 })('ends with the true outcome, cancels only when left, polls no faster than intervalMs', (s) => {
    const seen = follow(s);
    const { server } = s;
    const stopAt = seen.end?.at ?? seen.left!.at;

    // Events: this execution only, percentages never going down, an output only last.
    expect(seen.events.every((e) => e.executionId === EXEC_ID)).toBe(true);
    expect(seen.events.every((e, i) => i === 0 || e.percentage >= seen.events[i - 1]!.percentage)).toBe(true);
    expect(seen.events.slice(0, -1).some((e) => e.type === 'output')).toBe(false);

    // The outcome.
    if (seen.end && seen.end.error === undefined) {
      expect(seen.events.at(-1)?.type).toBe('output');
      expect(isSuccessStatus(server.endStatus) && server.endAt !== undefined && seen.end.at >= server.endAt).toBe(true);
    } else if (seen.end) {
      const error = seen.end.error;
      if (error instanceof SmartFlowsTimeoutError) {
        expect(seen.end.at).toBe(s.timeoutMs);
      } else {
        expect(error).toBeInstanceOf(FlowExecutionError);
        const status = (error as FlowExecutionError).progress.status;
        const failedOnServer = server.endAt !== undefined && !isSuccessStatus(server.endStatus) && seen.end.at >= server.endAt && status === server.endStatus;
        const askedForInput = s.onUserInput === 'error' && server.userInput !== undefined && status === 'UserInput';
        expect(failedOnServer || askedForInput).toBe(true);
      }
    } else {
      // Still open when left: neither its timeout nor a visible end had come.
      expect(s.timeoutMs > 0 && s.timeoutMs < seen.left!.at).toBe(false);
      if (server.endAt !== undefined) expect(server.endAt + SEE_END_MS).toBeGreaterThanOrEqual(seen.left!.at);
    }
    // A timeout ends the stream at its limit unless the stream ended before.
    if (s.timeoutMs > 0 && s.timeoutMs < stopAt) throw new Error(`open past its timeout: ${s.timeoutMs} < ${stopAt}`);

    // The cancel: iff left while the execution ran as far as the follower knew (run: also while
    // starting; watch: also before its first event, its id known from the start).
    const left = seen.left;
    const owed = s.cancelOnUnsubscribe && left !== undefined && !left.terminalSeen;
    expect(seen.cancels).toHaveLength(owed ? 1 : 0);

    // Requests: none after the stream stopped. A poll at once follows only the first answer, a
    // held answer, a plain poll that saw nothing new (the long poll starts from it), or news
    // from a server that has shown it holds (at most QUICK_NEWS_LIMIT in a row). So against a
    // server that never holds, quick polls come singly; against one that holds, in short bursts.
    expect(seen.polls.every((p) => p.at <= stopAt)).toBe(true);
    const short = seen.polls.slice(2).map((p, i) => p.at - seen.polls[i + 1]!.at < POLLING.intervalMs);
    const longestRush = short.reduce((acc, quick) => ({ run: quick ? acc.run + 1 : 0, max: Math.max(acc.max, quick ? acc.run + 1 : 0) }), { run: 0, max: 0 }).max;
    const burst = s.waitSeconds === 0 ? 0 : server.holds ? QUICK_NEWS_LIMIT + 1 : 1;
    expect(longestRush).toBeLessThanOrEqual(burst);
    expect(seen.polls.length).toBeLessThanOrEqual(2 + (burst + 1) * (stopAt / POLLING.intervalMs + 1));
  });
});
