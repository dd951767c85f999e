import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import type { Observable } from 'rxjs';
import type { ExecutionFilter, ExecutionPage } from '../../lib/api/listings';
import type { FlowExecution, FlowStatus } from '../../lib/api/types';
import { AUTO_MARGIN_MS, ListingTracker, type TrackedEntry } from '../../lib/tracker/ListingTracker';
import type { FeedApi } from '../../lib/tracker/readFeed';
import { normalizeTrackerOptions, type TrackerDebugEvent, type TrackerOptions } from '../../lib/tracker/trackerOptions';
import { newTestScheduler } from '../helpers/marbles';

/**
 * The listing tracker's estimate of the server's now on a busy server, when the executions it
 * follows are old (a `watch` of an execution started an hour ago): the cost of a cycle must not
 * depend on their age.
 */

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A tracked execution of the fake server: Running since `startedAtMs` (server time, ms after T0), ended at `endAtMs` if set. */
interface Ours { n: number; startedAtMs: number; endAtMs?: number }

interface BusyServer {
  /** The server's clock at frame 0 (ms after T0); it moves one ms a frame, as the scheduler does. */
  nowAtZeroMs: number;
  /** Other users change one execution every `periodMs` (each change a new execution), from T0 on; 0: none. */
  periodMs: number;
  /** The listing shows a change this late. */
  lagMs: number;
  ours: Ours[];
  /** Other users' items stamped a day after the server's clock at frame 0 (5 ms apart) top every answer: how many. */
  future: number;
  /** A node whose clock runs a day ahead changes another user's execution every `skewedPeriodMs` from frame 0 on. */
  skewedPeriodMs?: number;
}

const conditions = (f: ExecutionFilter): { key: string; values: string[] }[] => f.group.nodes.flatMap((n) => ('condition' in n ? [n.condition] : conditions(n)));
const row = (n: number, status: FlowStatus, atMs: number): FlowExecution => ({ id: ID(n), status, rawStatus: status, modifiedAt: new Date(T0 + atMs).toISOString() });

/**
 * The fake listing: every call answers, one frame later, the page asked of what the server shows
 * at that frame (`modifiedAt ≥ horizon` or `id in […]` for the filter), newest first. Other
 * users' changes form an arithmetic sequence, built only as far as the pages asked reach (a day
 * of them would be millions). Records per call the page and the items it answered.
 */
function busyFeed(ts: ReturnType<typeof newTestScheduler>, server: BusyServer) {
  const calls: { atFrame: number; visibleMs: number; items: number; horizonMs?: number }[] = [];
  const visibleMs = () => server.nowAtZeroMs + ts.now() - server.lagMs;
  const oursRows = (): FlowExecution[] => {
    const shown = visibleMs();
    return server.ours.flatMap((o) => (o.startedAtMs > shown ? [] : [o.endAtMs !== undefined && o.endAtMs <= shown ? row(o.n, 'Success', o.endAtMs) : row(o.n, 'Running', o.startedAtMs)]));
  };
  /** Items `from` to `to` (exclusive) of the listing, newest first, `modifiedAt ≥ horizonMs` or one of `ids`. */
  const slice = (horizonMs: number, ids: readonly string[], from: number, to: number): FlowExecution[] => {
    const stampOf = (e: FlowExecution) => Date.parse(e.modifiedAt!) - T0;
    const skewed = server.skewedPeriodMs ?? 0;
    const specials = [
      ...oursRows(),
      ...Array.from({ length: server.future }, (_, k) => row(999_999_999 - k, 'Running', server.nowAtZeroMs + DAY_MS - 5 * k)),
      ...Array.from({ length: skewed > 0 ? Math.floor(ts.now() / skewed) + 1 : 0 }, (_, k) => row(500_000_000 + k, 'Running', server.nowAtZeroMs + k * skewed + DAY_MS)),
    ]
      .filter((e) => stampOf(e) >= horizonMs || ids.includes(e.id))
      .sort((a, b) => stampOf(b) - stampOf(a));
    const out: FlowExecution[] = [];
    // Others: j = newest visible down to the horizon (then the asked ids older than it, which only specials are).
    let j = server.periodMs > 0 ? Math.floor(visibleMs() / server.periodMs) : -1;
    const lowest = server.periodMs > 0 ? Math.max(0, Math.ceil(horizonMs / server.periodMs)) : 0;
    let s = 0;
    while (out.length < to) {
      const other = j >= lowest ? row(1000 + j, 'Running', j * server.periodMs) : undefined;
      const special = specials[s];
      if (!other && !special) break;
      if (special && (!other || stampOf(special) >= stampOf(other))) {
        out.push(special);
        s++;
      } else {
        out.push(other!);
        j--;
      }
    }
    return out.slice(from, to);
  };
  const reply = (horizonMs: number | undefined, ids: readonly string[], page: number, size: number): Observable<ExecutionPage> => {
    const items = slice(horizonMs ?? -Infinity, ids, page * size, (page + 1) * size);
    calls.push({ atFrame: ts.now(), visibleMs: visibleMs(), items: items.length, ...(horizonMs === undefined ? {} : { horizonMs }) });
    return ts.createColdObservable('-(a|)', { a: { items, page, size } });
  };
  const api: FeedApi = {
    listExecutions: (o) => reply(undefined, [], o.page ?? 0, o.size ?? 20),
    filterExecutions: (f, o) => {
      const all = conditions(f);
      const h = all.find((c) => c.key === 'modifiedAt')?.values[0];
      return reply(h === undefined ? undefined : Date.parse(h) - T0, all.find((c) => c.key === 'id')?.values ?? [], o.page ?? 0, o.size ?? 20);
    },
  };
  return { api, calls, visibleMs };
}

interface Traced {
  /** Per cycle: [requests, items] (the debug events). */
  cycles: [number, number][];
  /** Per cycle: the newest stamp the server showed at its last call. */
  visibleMs: number[];
  /** Frame each tracked execution's end was handed out (undefined: never). */
  endAt: (number | undefined)[];
  entries: TrackedEntry[];
  debug: TrackerDebugEvent[];
}

/** Follows `server.ours` (all added at frame 0) for `cycles` cycles of the default options (1 s apart). */
function follow(server: BusyServer, cycles: number, options: TrackerOptions = {}): Traced {
  const ts = newTestScheduler();
  const traced: Traced = { cycles: [], visibleMs: [], endAt: [], entries: [], debug: [] };
  ts.run(({ flush }) => {
    const { api, calls } = busyFeed(ts, server);
    const onDebug = (e: TrackerDebugEvent) => {
      traced.debug.push(e);
      if (e.type !== 'cycle') return;
      traced.cycles.push([e.requests, e.items]);
      traced.visibleMs.push(calls[calls.length - 1]!.visibleMs);
    };
    const tracker = new ListingTracker({ api, scheduler: ts }, normalizeTrackerOptions({ ...options, onDebug }));
    traced.entries = server.ours.map((o) => tracker.add({ id: ID(o.n), status: 'Running', rawStatus: 'Running', percentage: 0, message: '' }));
    traced.entries.forEach((entry, k) => entry.news.subscribe(() => (traced.endAt[k] ??= entry.status === 'Success' ? ts.now() : undefined)));
    // Stop after about the cycles asked for (each takes the interval and a frame a page).
    const interval = normalizeTrackerOptions(options).intervalMs;
    ts.schedule(() => traced.entries.forEach((e) => tracker.remove(e)), cycles * (interval + 2));
    flush();
  });
  return traced;
}

describe("ListingTracker: the server's now on a busy server", () => {
  it('a watch of an execution started an hour ago costs, after the first cycles, what a fresh execution costs: one request, the recent changes', () => {
    // Others change one execution a second, for the past hour and on; the listing lags 300 ms.
    const server = (startedAtMs: number): BusyServer => ({ nowAtZeroMs: HOUR_MS, periodMs: 1000, lagMs: 300, ours: [{ n: 1, startedAtMs, endAtMs: HOUR_MS + 20_000 }], future: 0 });
    const fresh = follow(server(HOUR_MS - 1), 40);
    const old = follow(server(500), 40);
    // Both see the end (20 s after frame 0, listed 300 ms later) within two cycles.
    expect(fresh.endAt[0]).toBeGreaterThan(20_300);
    expect(fresh.endAt[0]).toBeLessThan(20_300 + 2 * 1004);
    expect(old.endAt[0]).toBeGreaterThan(20_300);
    expect(old.endAt[0]).toBeLessThan(20_300 + 2 * 1004);
    const after2 = (t: Traced) => t.cycles.slice(2);
    // A fresh execution: one request a cycle, a handful of items (a second of changes and the margin).
    expect(after2(fresh).every(([requests, items]) => requests === 1 && items <= 6)).toBe(true);
    // An hour-old one: the same, but for the second newest change read again (the high-water mark
    // stands on it while the tracked execution's own stamp is an hour old: see `clockOffsetMs`).
    const worst = (t: Traced) => [Math.max(...after2(t).map(([r]) => r)), Math.max(...after2(t).map(([, i]) => i))];
    expect(worst(old)).toEqual([1, worst(fresh)[1]! + 1]);
  });

  it("keeps the rule for an item from the future: the mark never stands on it, an hour-old execution's end shows within two cycles, one request a cycle", () => {
    // As above, and another user's item stamped a day ahead tops every answer.
    const server: BusyServer = { nowAtZeroMs: HOUR_MS, periodMs: 1000, lagMs: 300, ours: [{ n: 1, startedAtMs: 500, endAtMs: HOUR_MS + 20_000 }], future: 1 };
    const traced = follow(server, 40);
    expect(traced.endAt[0]).toBeGreaterThan(20_300);
    expect(traced.endAt[0]).toBeLessThan(20_300 + 2 * 1004);
    // The first cycle stands on it (nothing yet tells the server's now), the second learns the
    // clock from the sweep of ours and the listing's second newest: from then on, the recent changes.
    expect(traced.cycles.slice(2).every(([requests, items]) => requests === 1 && items <= 4)).toBe(true);
    expect(traced.debug.filter((e) => e.type !== 'cycle')).toEqual([]);
    expect(traced.entries[0]).toMatchObject({ status: 'Success', polling: false });
  });

  it('two items from the future: the second newest is one of them, the reads show nothing new, and the next cycles ask for the tracked execution by id: its end within two cycles, one request a cycle', () => {
    // As above with two items a day ahead: the listing's second newest is one of them.
    const server: BusyServer = { nowAtZeroMs: HOUR_MS, periodMs: 1000, lagMs: 300, ours: [{ n: 1, startedAtMs: 500, endAtMs: HOUR_MS + 5_000 }], future: 2 };
    const traced = follow(server, 40);
    expect(traced.endAt[0]).toBeGreaterThan(5_300);
    expect(traced.endAt[0]).toBeLessThan(5_300 + 2 * 1004);
    // The two, and ours asked for by id.
    expect(traced.cycles.slice(2).every(([requests, items]) => requests === 1 && items <= 3)).toBe(true);
    expect(traced.entries[0]).toMatchObject({ status: 'Success', audit: false, polling: false });
    expect(traced.debug.filter((e) => e.type !== 'cycle')).toEqual([]);
  });

  it("on the list feed, an end stamped a cycle before the one that teaches the server's now is a change of that cycle (judged by the last read's time, not by this one's)", () => {
    // Two tracked, a day and 8 s old, behind an item from the future; the listing lags 749 ms and
    // others change every 50 ms. Both end 0.5 s apart; the cycle that first lists them (both ends on
    // its page) learns the server's now from the later one.
    const nowAtZeroMs = DAY_MS + HOUR_MS;
    const lagMs = 749;
    const server: BusyServer = {
      nowAtZeroMs,
      periodMs: 50,
      lagMs,
      future: 1,
      ours: [
        { n: 1, startedAtMs: nowAtZeroMs - DAY_MS - lagMs, endAtMs: nowAtZeroMs + 11_264 },
        { n: 2, startedAtMs: nowAtZeroMs - 7_902 - lagMs, endAtMs: nowAtZeroMs + 11_765 },
      ],
    };
    const traced = follow(server, 20, { feed: 'list' });
    // Listed at 12,514 and after (the lag): the cycle of 13,013 hands both.
    expect(traced.endAt).toEqual([13_014, 13_014]);
  });

  it("a node whose clock runs a day ahead, busy: the tracked executions are asked for by id, fresh or an hour old, and their ends show within two cycles", () => {
    // Others change one execution a second; a skewed node one every 100 ms, stamped a day ahead.
    for (const startedAtMs of [HOUR_MS - 1, 500]) {
      const server: BusyServer = { nowAtZeroMs: HOUR_MS, periodMs: 1000, lagMs: 300, ours: [{ n: 1, startedAtMs, endAtMs: HOUR_MS + 5_000 }], future: 0, skewedPeriodMs: 100 };
      const traced = follow(server, 40);
      expect({ startedAtMs, endAt: traced.endAt[0] }).toEqual({ startedAtMs, endAt: expect.any(Number) });
      expect(traced.endAt[0]! - 5_300).toBeLessThan(2 * 1004);
      expect(traced.entries[0]).toMatchObject({ status: 'Success', audit: false, polling: false });
      // The mark on the skewed node's second newest: a cycle reads its last second or so, and ours.
      expect(traced.cycles.slice(2).every(([requests, items]) => requests === 1 && items <= 20)).toBe(true);
      expect(traced.debug.filter((e) => e.type !== 'cycle')).toEqual([]);
    }
  });

  /** Other users' changes (one per `periodMs`, from T0) stamped in [fromMs, toMs]. */
  const othersIn = (periodMs: number, fromMs: number, toMs: number) => (periodMs === 0 || toMs < 0 ? 0 : Math.floor(toMs / periodMs) - Math.max(0, Math.ceil(fromMs / periodMs)) + 1);
  const CYCLES = 20;
  const oursArb = fc.array(
    fc.record({
      ageMs: fc.oneof(fc.constantFrom(0, 1_000, HOUR_MS, DAY_MS), fc.integer({ min: 0, max: DAY_MS })),
      endAfterMs: fc.option(fc.integer({ min: 2_000, max: 15_000 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  );
  const serverArb = fc.record({
    periodMs: fc.oneof(fc.constant(0), fc.integer({ min: 50, max: 10_000 })),
    lagMs: fc.integer({ min: 0, max: 1_500 }),
    future: fc.constantFrom(0, 1, 2),
    feed: fc.constantFrom('filter' as const, 'list' as const),
    skewedPeriodMs: fc.option(fc.integer({ min: 50, max: 2_000 }), { nil: undefined }),
  });

  test.prop([oursArb, serverArb], { numRuns: 40 })(
    'for any mix of tracked ages (fresh to a day) and change rates (items from the future, a node a day ahead): after the first two cycles, one request a cycle reading the recent changes and the tracked ids; every end handed within two cycles',
    (ours, { periodMs, lagMs, future, feed, skewedPeriodMs }) => {
      // The server's clock a day and an hour after T0 at frame 0: others changed since T0.
      const nowAtZeroMs = DAY_MS + HOUR_MS;
      const server: BusyServer = {
        nowAtZeroMs,
        periodMs,
        lagMs,
        future,
        // (The list feed cannot ask for the tracked executions by id: a node a day ahead hides them from it, as before.)
        ...(skewedPeriodMs === undefined || feed === 'list' ? {} : { skewedPeriodMs }),
        ours: ours.map((o, k) => ({ n: k + 1, startedAtMs: nowAtZeroMs - o.ageMs - lagMs, ...(o.endAfterMs === undefined ? {} : { endAtMs: nowAtZeroMs + o.endAfterMs }) })),
      };
      const traced = follow(server, CYCLES, { feed });
      expect(traced.debug.filter((e) => e.type !== 'cycle')).toEqual([]);
      // The list feed sizes its page by the previous cycle's changes: the first cycles' reads show
      // one cycle later. With an item from the future it learns the server's now when a tracked
      // execution shows on its page, and the cycle after the mark went back reads one full page,
      // once (see `widened`): then one request a cycle.
      let fullPages = 0;
      /** What cycle `k` may read: back to the previous read's second newest change, less the largest margin ('auto'). */
      const allowedAt = (k: number) => {
        const previous = traced.visibleMs[k - 1]!;
        const secondNewest = periodMs === 0 ? previous : (Math.floor(previous / periodMs) - 1) * periodMs;
        // A skewed node's items: from its second newest at the previous read, less the margin (not lagged).
        const frame = (visibleMs: number) => visibleMs + lagMs - nowAtZeroMs;
        const skewedMs = server.skewedPeriodMs;
        const skewed = skewedMs === undefined ? 0 : othersIn(skewedMs, (Math.floor(frame(previous) / skewedMs) - 1) * skewedMs - AUTO_MARGIN_MS.max, frame(traced.visibleMs[k]!));
        return othersIn(periodMs, Math.min(secondNewest, previous) - AUTO_MARGIN_MS.max, traced.visibleMs[k]!) + ours.length + future + skewed;
      };
      for (let k = feed === 'list' ? 3 : 2; k < traced.cycles.length; k++) {
        const [requests, items] = traced.cycles[k]!;
        // The list feed reads whole pages, back to the tracked executions' clock (it cannot ask for
        // them by id, so other users' stamps do not bound it): one request, however many items.
        const bound = feed === 'filter' ? allowedAt(k) : items;
        if (feed === 'list' && future > 0 && items === 1000 && fullPages++ === 0) continue;
        expect({ cycle: k, requests, items }).toEqual({ cycle: k, requests: 1, items: Math.min(items, bound) });
      }
      ours.forEach((o, k) => {
        if (o.endAfterMs === undefined) return;
        const shownAt = o.endAfterMs + lagMs;
        expect({ execution: k, endAt: traced.endAt[k] }).toEqual({ execution: k, endAt: expect.any(Number) });
        expect(traced.endAt[k]).toBeGreaterThan(shownAt);
        expect(traced.endAt[k]! - shownAt).toBeLessThanOrEqual(2 * 1004);
      });
    },
  );
});

