// Part 6, the schedules alone: each strategy's poll schedule replayed against the same scripted
// server timelines (bench/pollingFlows.mjs) against a server that never holds, with no network
// and no machine: every answer is instant, a poll at time t reads the state the script gives
// at t. Deterministic (the AWS waiter's jitter from a fixed seed), so it shows what each
// schedule costs and gives apart from this shared machine's noise, which on a loaded 2-core box
// is as large as the differences in the wall-clock rows.
//
//   node bench/peersSchedule.mjs                                   the table
//   node bench/peersSchedule.mjs --rule='{"floorMs":800,"etaShare":0.3}'   the default rule with other constants, as an extra row
import { fileURLToPath } from 'node:url';
import { mean, mulberry32, percentile, printTable, round } from './common.mjs';
import { awsWaiterDelays, proposedDelays } from './pollingBaselines.mjs';
import { pollingFlows, serverTimeline } from './pollingFlows.mjs';

/** The flow sets of part 6: part 1's mix and short flows, 200 executions each by default. */
export const FLOW_SETS = {
  long: { label: 'part 1 mix, 0.5–20 s', minMs: 500, maxMs: 20_000, spreadMs: 45_000 },
  short: { label: 'short, 2–10 s', minMs: 2000, maxMs: 10_000, spreadMs: 45_000 },
};

/**
 * Schedules: `first` is the wait before the first poll after the start answer; `delays()` gives
 * a fresh `(attempt, progress, nowMs, changed) => ms` per execution for the waits after.
 * Peers that poll at once after starting (their first request on mount/subscribe) have first 0.
 */
export function scheduleStrategies({ seed = 20240607, rule } = {}) {
  const random = mulberry32(seed + 3);
  const fixed = (ms) => () => () => ms;
  const rows = [
    // The library's default against a server that never holds: the delay rule of lib/execution/nextDelay.ts
    // (proposedDelays is its copy, which part 1 checks against the client: rows (p) and (d′)).
    { key: 'd', first: 900, delays: () => { const d = proposedDelays(); d(0, { percentage: 0 }, 0, false); return (a, p, t, c) => d(a + 1, p, t, c); } },
    { key: 'lro', first: 0, delays: fixed(2000) },
    { key: 'waiter', first: 0, delays: () => { const d = awsWaiterDelays({ minDelayMs: 2000, maxDelayMs: 120_000, random }); return (a) => d(a + 1); } },
    { key: 'query', first: 0, delays: fixed(1000) },
    { key: 'rxp5', first: 0, delays: fixed(5000) },
    { key: 'rxp1', first: 0, delays: fixed(1000) },
    { key: 'timer', first: 0, delays: fixed(1000) },
    { key: 'v200', first: 200, delays: fixed(200) },
    { key: 'v1s', first: 1000, delays: fixed(1000) },
  ];
  if (rule) {
    rows.push({
      key: 'rule',
      label: `default rule ${JSON.stringify(rule)}`,
      first: rule.floorMs ?? 900,
      delays: () => { const d = proposedDelays(rule); d(0, { percentage: 0 }, 0, false); return (a, p, t, c) => d(a + 1, p, t, c); },
    });
  }
  return rows;
}

/** The state index and percentage the script shows at `t`, and whether it is terminal. */
function stateAt(timeline, t) {
  let k = 0;
  while (k + 1 < timeline.states.length && timeline.states[k + 1].atMs <= t) k++;
  return { k, percentage: timeline.states[k].percentage, terminal: t >= timeline.terminalAtMs };
}

/** Replays one schedule over the flows: requests per execution and lag percentiles. */
export function replay(flows, strategy) {
  const requests = [];
  const lags = [];
  for (const flow of flows) {
    const timeline = serverTimeline(flow, 0);
    const delay = strategy.delays();
    let shown = stateAt(timeline, 0);
    let t = strategy.first;
    for (let attempt = 0; ; attempt++) {
      const now = stateAt(timeline, t);
      if (now.terminal) {
        requests.push(attempt + 1);
        lags.push(t - timeline.terminalAtMs);
        break;
      }
      t += delay(attempt, now, t, now.k !== shown.k);
      shown = now;
    }
  }
  return { requestsPerExecution: round(mean(requests)), lagP50Ms: round(percentile(lags, 50)), lagP95Ms: round(percentile(lags, 95)) };
}

/** Rows for every flow set and schedule (the server never holds). */
export function scheduleRows({ count = 200, seed = 20240607, flowSets, rule } = {}) {
  return Object.entries(flowSets).flatMap(([set, { minMs, maxMs }]) => {
    const flows = pollingFlows({ count, seed, minMs, maxMs });
    return scheduleStrategies({ seed, rule }).map((s) => ({ flows: set, key: s.key, ...(s.label ? { strategy: s.label } : {}), ...replay(flows, s) }));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ruleArg = process.argv.find((a) => a.startsWith('--rule='));
  const rows = scheduleRows({ flowSets: FLOW_SETS, rule: ruleArg ? JSON.parse(ruleArg.slice('--rule='.length)) : undefined });
  printTable('Part 6, schedules alone (server never holds; instant answers)', rows);
}
