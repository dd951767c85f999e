// Part 4, tracking many executions: the same N live executions (0.5–60 s each, all started at
// once) followed by per-execution default polling and by the listing tracker
// (`tracking: 'listing'`), in-process on virtual time: the simulator's clock and the client's
// scheduler move together, requests go to `simulator.handle()` without a socket, so 5,000
// executions take seconds, not minutes, and the figures do not depend on this machine's speed.
// The server never holds a progress call (the default polling's request count where it does not
// long-poll; part 1 measures the long-poll case).
import { VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { createSimulator, createVirtualClock } from 'smart-flows-rx/testing';
import { mean, percentile, printTable, round, target } from './common.mjs';
import { pollingFlows, serverTimeline } from './pollingFlows.mjs';

const SEED = 20261202;
const STEP_MS = 50;
const BASE = 'https://flows.bench.invalid';
const ROUTE = /\/api\/v1\/flows\/(executions\/filter|executions\/[0-9a-f-]{36}\/progress|executions\/[0-9a-f-]{36}|executions|[0-9a-f-]{36}\/executions)(\?|$)/i;

/** The tracker's largest page (its `maxPageSize` default, which is also the most it accepts). */
const MAX_PAGE = 1000;

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A fetch that answers from `simulator.handle()` in this process and counts requests by kind. */
function inProcessFetch(simulator, counts, startedAt) {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const match = ROUTE.exec(url);
    const path = match?.[1] ?? '';
    const kind = method === 'POST' && /^executions\/filter/i.test(path) ? 'list'
      : method === 'POST' && /^executions$/i.test(path) ? 'start'
      : /progress$/i.test(path) ? 'progress'
      : /^executions\/[0-9a-f-]{36}$/i.test(path) ? 'execution'
      : /executions$/i.test(path) ? 'list' : 'other';
    counts[kind] = (counts[kind] ?? 0) + 1;
    const headers = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const answer = await simulator.handle({ method, url, headers, body: init.body, signal: init.signal ?? undefined });
    if (answer.reset) throw new TypeError('fetch failed');
    const response = new Response(answer.status === 204 ? null : answer.body ?? null, { status: answer.status, headers: answer.headers });
    if (kind === 'start' && answer.status === 200) startedAt.set(JSON.parse(answer.body).id, simulator.clock.now());
    return response;
  };
}

/**
 * A simulator and a client on one virtual clock: requests through `inProcessFetch` (counted in
 * `counts`), the tracker's debug events (with `tracking: 'listing'`) to `onDebug`, and `step()`
 * moving the simulator's clock and the client's scheduler together by STEP_MS. Returns the
 * virtual time stepped so far.
 */
function virtualBench({ flows, listing = {}, tracking, onDebug, startedAt = new Map() }) {
  const clock = createVirtualClock();
  const simulator = createSimulator({ clock, seed: SEED, flows, progressHold: { mode: 'ignore', defaultSeconds: 0 }, listing, requestLogLimit: 1 });
  const scheduler = new VirtualTimeScheduler();
  const counts = {};
  const client = new SmartFlowsClient({
    baseUrl: BASE,
    apiKey: simulator.apiKey,
    scheduler,
    fetch: inProcessFetch(simulator, counts, startedAt),
    ...(tracking === 'listing' ? { tracker: { onDebug } } : {}),
  });
  let virtualMs = 0;
  const step = async () => {
    await settle();
    virtualMs += STEP_MS;
    scheduler.maxFrames = virtualMs;
    scheduler.flush();
    scheduler.frame = virtualMs;
    await clock.advanceAsync(STEP_MS);
    return virtualMs;
  };
  return { clock, client, counts, step };
}

/** A result row with its numbers rounded for the results file. */
const rounded = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));

/** Follows `count` executions with one strategy; every figure from virtual time. */
async function runScenario({ count, tracking, listing = {}, flows }) {
  const startedAt = new Map();
  const cycles = [];
  const onDebug = (e) => (e.type === 'cycle' || e.type === 'fallback' ? cycles.push(e) : undefined);
  const { clock, client, counts, step } = virtualBench({ flows, listing, tracking, onDebug, startedAt });
  const t0 = clock.now();
  let virtualMs = 0;
  const done = [];
  for (const flow of flows) {
    client.run(flow.id, '<Input/>', { tracking }).subscribe({
      next: (e) => (done[flows.indexOf(flow)] ??= { id: e.executionId }),
      error: (error) => (done[flows.indexOf(flow)] = { id: error.executionId, atMs: clock.now(), failed: error.name !== 'FlowExecutionError' ? String(error) : undefined }),
      complete: () => (done[flows.indexOf(flow)].atMs = clock.now()),
    });
  }
  const wallStart = Date.now();
  while (done.filter((d) => d?.atMs !== undefined).length < count) {
    virtualMs = await step();
    if (virtualMs > 10 * 60_000) throw new Error(`part 4: not done after 10 min of virtual time (${tracking}, ${count})`);
  }
  const lags = flows.map((flow, i) => done[i].atMs - serverTimeline(flow, startedAt.get(done[i].id)).terminalAtMs);
  const tracked = (counts.progress ?? 0) + (counts.list ?? 0);
  const cycleRows = cycles.filter((e) => e.type === 'cycle');
  return {
    executions: count,
    strategy: tracking === 'listing' ? 'listing tracker' : 'per-execution polling (default)',
    listing: Object.keys(listing).length ? JSON.stringify(listing) : '',
    statusRequestsPerExecution: tracked / count,
    allRequestsPerExecution: Object.values(counts).reduce((s, n) => s + n, 0) / count,
    progressRequests: counts.progress ?? 0,
    listRequests: counts.list ?? 0,
    cycles: cycleRows.length,
    listRequestsPerCycle: cycleRows.length ? mean(cycleRows.map((c) => c.requests)) : undefined,
    maxListRequestsPerCycle: cycleRows.length ? Math.max(...cycleRows.map((c) => c.requests)) : undefined,
    p50ListRequestsPerCycle: cycleRows.length ? percentile(cycleRows.map((c) => c.requests), 50) : undefined,
    itemsPerCycle: cycleRows.length ? mean(cycleRows.map((c) => c.items)) : undefined,
    // The fewest requests a cycle could have sent with pages of MAX_PAGE: one, or as many pages
    // as the items it listed (every execution the server says was modified since the horizon:
    // a stage or percentage change counts, not only a status change, and the feed cannot tell).
    itemsBoundPerCycle: cycleRows.length ? mean(cycleRows.map((c) => Math.max(1, Math.ceil(c.items / MAX_PAGE)))) : undefined,
    cyclesOverOnePage: cycleRows.length ? cycleRows.filter((c) => c.items > MAX_PAGE).length : undefined,
    maxItemsPerCycle: cycleRows.length ? Math.max(...cycleRows.map((c) => c.items)) : undefined,
    fallbacks: cycles.filter((e) => e.type === 'fallback').length,
    fallbackReasons: [...new Set(cycles.filter((e) => e.type === 'fallback').map((e) => `${e.scope}: ${e.reason}`))].join(', '),
    lagP50Ms: percentile(lags, 50),
    lagP95Ms: percentile(lags, 95),
    lagMaxMs: Math.max(...lags),
    unexpectedErrors: done.filter((d) => d.failed).length,
    virtualSeconds: round(virtualMs / 1000, 1),
    wallMs: Date.now() - wallStart,
    elapsedVirtualMs: clock.now() - t0,
  };
}

const QUIET_GUID = (n) => `5f1c0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * The steady state: `count` executions in one long stage (an hour: quiet, as in a queue or a long
 * render) plus `churn` short ones (2–10 s) started every second, so the changes per cycle stay the
 * same whatever `count` is. Counted over the last 60 s of a 90 s run (the quiet ones have long
 * passed `missingAfterMs`), per second and per cycle.
 */
async function runSteady({ count, churn, tracking, seconds = 90, countFromS = 30 }) {
  const quiet = Array.from({ length: count }, (_, i) => ({ id: QUIET_GUID(i + 1), displayName: 'Quiet flow', stages: [{ message: 'One long stage', durationMs: 3_600_000, percentage: 0 }], outcome: 'Success' }));
  const short = pollingFlows({ count: churn * seconds, seed: SEED + 1, minMs: 2000, maxMs: 10_000 });
  const events = [];
  const { client, counts, step } = virtualBench({ flows: [...quiet, ...short], tracking, onDebug: (e) => events.push(e) });
  let failed = 0;
  const subs = quiet.map((f) => client.run(f.id, '<Input/>', { tracking }).subscribe({ error: () => failed++ }));
  let virtualMs = 0;
  let next = 0;
  let mark;
  const wallStart = Date.now();
  for (let s = 0; s < seconds; s++) {
    if (s === countFromS) mark = { ...counts, events: events.length, atMs: virtualMs };
    for (let j = 0; j < churn; j++) subs.push(client.run(short[next++].id, '<Input/>', { tracking }).subscribe({ error: (e) => (e.name !== 'FlowExecutionError' ? failed++ : undefined) }));
    for (let k = 0; k < 1000 / STEP_MS; k++) virtualMs = await step();
  }
  for (const sub of subs) sub.unsubscribe();
  const windowS = (virtualMs - mark.atMs) / 1000;
  const since = (kind) => ((counts[kind] ?? 0) - (mark[kind] ?? 0)) / windowS;
  const cycleRows = events.slice(mark.events).filter((e) => e.type === 'cycle');
  return {
    executions: count,
    strategy: tracking === 'listing' ? 'listing tracker' : 'per-execution polling (default)',
    listing: `steady: ${count} quiet + ${churn} short starts/s`,
    statusRequestsPerSecond: since('progress') + since('list'),
    progressRequestsPerSecond: since('progress'),
    listRequestsPerSecond: since('list'),
    cycles: cycleRows.length,
    listRequestsPerCycle: cycleRows.length ? mean(cycleRows.map((c) => c.requests)) : undefined,
    maxListRequestsPerCycle: cycleRows.length ? Math.max(...cycleRows.map((c) => c.requests)) : undefined,
    itemsPerCycle: cycleRows.length ? mean(cycleRows.map((c) => c.items)) : undefined,
    sweptPerCycle: cycleRows.length ? mean(cycleRows.map((c) => c.swept ?? 0)) : undefined,
    fallbacks: events.filter((e) => e.type === 'fallback' || e.type === 'sweep').length,
    unexpectedErrors: failed,
    wallMs: Date.now() - wallStart,
  };
}

export async function runTrackingBenchmark({ quick = false } = {}) {
  const sizes = quick ? [100, 500] : [100, 1000, 5000];
  const mid = quick ? 500 : 1000;
  const rows = [];
  for (const count of sizes) {
    const flows = pollingFlows({ count, seed: SEED, minMs: 500, maxMs: 60_000 });
    rows.push(await runScenario({ count, tracking: 'polling', flows }));
    rows.push(await runScenario({ count, tracking: 'listing', flows }));
  }
  const flows = pollingFlows({ count: mid, seed: SEED, minMs: 500, maxMs: 60_000 });
  rows.push(await runScenario({ count: mid, tracking: 'listing', flows, listing: { otherUsersPerStart: 1 } }));
  rows.push(await runScenario({ count: mid, tracking: 'listing', flows, listing: { lagMs: 2000 } }));
  const steady = [await runSteady({ count: mid, churn: 10, tracking: 'polling' })];
  for (const count of sizes) steady.push(await runSteady({ count, churn: 10, tracking: 'listing' }));

  const find = (count, strategy, listing = '') => rows.find((r) => r.executions === count && r.strategy.startsWith(strategy) && r.listing === listing);
  const poll = find(mid, 'per-execution');
  const track = find(mid, 'listing');
  const perCycle = sizes.map((n) => find(n, 'listing').listRequestsPerCycle);
  const ratio = track.statusRequestsPerExecution / poll.statusRequestsPerExecution;
  // What pages of MAX_PAGE allow: the same ratio for the fewest requests each cycle could send.
  const itemsBound = sizes.map((n) => find(n, 'listing').itemsBoundPerCycle);

  const steadyPerCycle = sizes.map((n) => steady.find((r) => r.executions === n && r.strategy === 'listing tracker').listRequestsPerCycle);
  const targets = [
    target(`tracker ÷ polling, status requests per execution at ${mid}`, ratio, '≤ 0.05', ratio <= 0.05),
    target(`tracker p95 lag ÷ polling p95 lag at ${mid}`, track.lagP95Ms / poll.lagP95Ms, '≤ 1', track.lagP95Ms <= poll.lagP95Ms),
    // The start burst: 5,000 started at once modify more than a page of 1,000 a second for seconds, so
    // no tracker lists them in one request a cycle (issue 31 item 4). The target is the ratio of means
    // against the floor's own ratio (the fewest requests pages of 1,000 allow, at both sizes): ≤ 1.1 of it.
    target(`listing requests per cycle at ${sizes.at(-1)} ÷ at ${sizes[0]} (mean), against the same ratio of the floor pages of ${MAX_PAGE} allow`, perCycle.at(-1) / perCycle[0], `≤ 1.1 × ${round(itemsBound.at(-1) / itemsBound[0], 2)} (the floor's ratio)`, perCycle.at(-1) / perCycle[0] <= 1.1 * (itemsBound.at(-1) / itemsBound[0])),
    target(`listing requests per cycle at ${sizes.at(-1)} ÷ the fewest its listed items allow with pages of ${MAX_PAGE}`, perCycle.at(-1) / itemsBound.at(-1), '≤ 1.1', perCycle.at(-1) / itemsBound.at(-1) <= 1.1),
    target(`the fewest requests per cycle pages of ${MAX_PAGE} allow, at ${sizes.at(-1)} ÷ at ${sizes[0]} (the floor under the ratio of means)`, itemsBound.at(-1) / itemsBound[0], 'info', true),
    target(`steady (changes per cycle the same): listing requests per cycle at ${sizes.at(-1)} ÷ at ${sizes[0]} quiet executions`, steadyPerCycle.at(-1) / steadyPerCycle[0], '≤ 1.1 (flat)', steadyPerCycle.at(-1) / steadyPerCycle[0] <= 1.1),
    target('unexpected errors, every run', [...rows, ...steady].reduce((s, r) => s + r.unexpectedErrors, 0), '0', [...rows, ...steady].every((r) => r.unexpectedErrors === 0)),
  ];
  printTable('Part 4: tracking many executions (0.5–60 s each, all started at once; virtual time, in process; a server that never holds)', rows.map((r) => ({
    executions: r.executions,
    strategy: r.strategy,
    listing: r.listing,
    'status req/exec': r.statusRequestsPerExecution,
    'all req/exec': r.allRequestsPerExecution,
    'list req/cycle': r.listRequestsPerCycle ?? '',
    'p50/cycle': r.p50ListRequestsPerCycle ?? '',
    'max/cycle': r.maxListRequestsPerCycle ?? '',
    'items/cycle': r.itemsPerCycle ?? '',
    'fewest req/cycle': r.itemsBoundPerCycle ?? '',
    'cycles > 1 page': r.cyclesOverOnePage ?? '',
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
    fallbacks: r.fallbacks ? `${r.fallbacks} (${r.fallbackReasons})` : 0,
    errors: r.unexpectedErrors,
    'wall ms': r.wallMs,
  })));
  printTable('Part 4, steady state (N quiet executions + 10 short starts a second; the last 60 s of 90)', steady.map((r) => ({
    'quiet executions': r.executions,
    strategy: r.strategy,
    'status req/s': r.statusRequestsPerSecond,
    'progress req/s': r.progressRequestsPerSecond,
    'list req/s': r.listRequestsPerSecond,
    'list req/cycle': r.listRequestsPerCycle ?? '',
    'max/cycle': r.maxListRequestsPerCycle ?? '',
    'items/cycle': r.itemsPerCycle ?? '',
    'quiet asked/cycle': r.sweptPerCycle ?? '',
    'fallbacks, sweeps off': r.fallbacks,
    errors: r.unexpectedErrors,
    'wall ms': r.wallMs,
  })));
  printTable('Part 4 targets', targets);
  return {
    setup: {
      seed: SEED,
      stepMs: STEP_MS,
      notes: [
        'Every execution starts at t = 0 (virtual); durations log-uniform in 0.5–60 s, 2–8 stages, 3 in 10 queued first (bench/pollingFlows.mjs).',
        'Virtual time: the simulator clock and the client scheduler advance together in 50 ms steps; requests go to simulator.handle() in process (no socket), so lag has a 50 ms grain and no network time.',
        "Status requests = progress GETs + listing requests (GET /flows/executions and POST /flows/executions/filter): the requests that differ between the strategies. All requests add each execution's start POST and its one GET at the end (both strategies send them).",
        'The server never holds a progress call (progressHold ignore, 0 s): the default polling then sends plain polls; where a server long-polls, part 1 shows the default polling needs few requests.',
        'Lag = the stream ended (output event or FlowExecutionError) minus the terminal moment from the script and the server-side createdAt.',
        "The tracker runs with its defaults (cycle 1 s, safety margin 'auto' (0.5–3 s, fitted to the lateness it sees), missingAfterMs 30 s, feed 'filter').",
        `Fewest requests per cycle: max(1, ceil(items / ${MAX_PAGE})) per cycle, averaged, for the items the cycle listed (every execution modified since its horizon, a stage or percentage change included; the first cycle lists every tracked execution): what pages of ${MAX_PAGE} allow whatever the tracker does. With 5,000 started at once, over 1,000 are modified each second for the first ~5 s.`,
        'Steady state: N executions in one hour-long stage (quiet) plus 10 short executions (2–10 s) started every second, so the changes per cycle stay the same whatever N is; counted over the last 60 s of 90 s of virtual time. The quiet ones are past missingAfterMs and are asked for in the cycle requests (id in […]) or, with polling, polled at the longest interval.',
      ],
    },
    rows: rows.map(rounded),
    steady: steady.map(rounded),
    targets,
  };
}
