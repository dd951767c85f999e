// Part 6, the schedules alone: each strategy's poll schedule replayed against the same scripted
// server timelines (bench/pollingFlows.mjs) against a server that never holds, with no network
// and no machine: every answer is instant, a poll at time t reads the state the script gives
// at t. Deterministic (the AWS waiter's jitter from a fixed seed), so it shows what each
// schedule costs and gives apart from this shared machine's noise, which on a loaded 2-core box
// is as large as the differences in the wall-clock rows.
//
//   node bench/peersSchedule.mjs                                   the table
//   node bench/peersSchedule.mjs --rule='{"floorMs":800,"etaShare":0.3}'   the default rule with other constants, as an extra row
//                                      (proposedDelays' options; "probe":false drops the burst's hold probe)
//
// Besides part 6's two flow sets, issue 31's own short-flow scenario (BURST_SETS): 40 executions
// of 2–8 s started at once, end times off the whole second, on a client that has not yet seen
// the server answer (so every execution's first poll is the library's hold probe, at once).
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
 * Issue 31's scenario, replayed only: `count` executions started together at t = 0, durations
 * uniform in [minMs, maxMs] from a fixed seed and never on a whole second, with the stage shape
 * `one` (a single stage: 0 % until the end, so the rate never shows), `even` (three stages of
 * equal length at 0, 40 and 80 %: the simulator's built-in "Short letter", lib/testing/engine/
 * builtInFlows.ts, stretched to the duration) or `stages` (part 1's shape: queue, 2–8 uneven
 * stages, outcomes, from bench/pollingFlows.mjs, scaled to the duration).
 * `burst`: the executions start at once on a fresh client, before any answer has told it
 * whether the server holds, so the default's first poll is the hold probe (at once, counted).
 */
export const BURST_SETS = {
  burst1: { label: '40 at once, 2–8 s, one stage', count: 40, minMs: 2000, maxMs: 8000, shape: 'one', burst: true },
  burst3: { label: '40 at once, 2–8 s, three equal stages', count: 40, minMs: 2000, maxMs: 8000, shape: 'even', burst: true },
  burstN: { label: '40 at once, 2–8 s, part 1 stages', count: 40, minMs: 2000, maxMs: 8000, shape: 'stages', burst: true },
};

/** The flows of a BURST_SETS scenario (see there). */
export function burstFlows({ count, seed, minMs, maxMs, shape }) {
  const random = mulberry32(seed + 7);
  return pollingFlows({ count, seed, minMs, maxMs }).map((flow) => {
    let totalMs = Math.round(minMs + random() * (maxMs - minMs));
    if (totalMs % 1000 === 0) totalMs += 1; // off the whole second
    if (shape === 'one') return { id: flow.id, displayName: flow.displayName, stages: [{ message: 'Step 1 of 1', durationMs: totalMs, percentage: 0 }], outcome: 'Success' };
    if (shape === 'even') {
      const stages = [0, 40, 80].map((percentage, k) => ({ message: `Step ${k + 1} of 3`, durationMs: Math.round(((k + 1) * totalMs) / 3) - Math.round((k * totalMs) / 3), percentage }));
      return { id: flow.id, displayName: flow.displayName, stages, outcome: 'Success' };
    }
    const was = (flow.queueMs ?? 0) + flow.stages.reduce((sum, st) => sum + st.durationMs, 0);
    const scale = (ms) => Math.max(1, Math.round((ms * totalMs) / was));
    const queueMs = flow.queueMs ? scale(flow.queueMs) : 0;
    const stages = flow.stages.map((st) => ({ ...st, durationMs: scale(st.durationMs) }));
    const last = stages.at(-1);
    last.durationMs = Math.max(1, totalMs - queueMs - stages.slice(0, -1).reduce((sum, st) => sum + st.durationMs, 0));
    return { ...flow, ...(queueMs ? { queueMs } : {}), stages };
  });
}

/**
 * Schedules: `first` is the wait before the first poll after the start answer; `delays()` gives
 * a fresh `(attempt, progress, nowMs, changed) => ms` per execution for the waits after.
 * Peers that poll at once after starting (their first request on mount/subscribe) have first 0.
 */
export function scheduleStrategies({ seed = 20240607, rule, burst = false } = {}) {
  const random = mulberry32(seed + 3);
  const fixed = (ms) => () => () => ms;
  const rows = [
    // The library's default against a server that never holds: the delay rule of lib/execution/nextDelay.ts
    // (proposedDelays is its copy, which part 1 checks against the client: rows (p) and (d′)).
    // In a burst on a fresh client the first poll is the hold probe (lib/execution/holdPolicy.ts,
    // firstDelayMs): at once, answered at once by this server, then the rule from there.
    { key: 'd', first: burst ? 0 : 900, delays: () => { const d = proposedDelays(); d(0, { percentage: 0 }, 0, false); return (a, p, t, c) => d(a + 1, p, t, c); } },
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
      first: burst && rule.probe !== false ? 0 : (rule.floorMs ?? 900),
      // afterProbeMs: the wait after the burst's probe (only there: a steady-state client sends none).
      delays: () => {
        const probed = burst && rule.probe !== false;
        const d = proposedDelays({ ...rule, afterProbeMs: probed ? rule.afterProbeMs : undefined });
        d(0, { percentage: 0 }, 0, false);
        return (a, p, t, c) => d(a + 1, p, t, c);
      },
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

/** Rows for every flow set and schedule (the server never holds). A set with `shape` is a BURST_SETS scenario. */
export function scheduleRows({ count = 200, seed = 20240607, flowSets, rule } = {}) {
  return Object.entries(flowSets).flatMap(([set, { minMs, maxMs, shape, burst, count: own }]) => {
    const flows = shape ? burstFlows({ count: own ?? count, seed, minMs, maxMs, shape }) : pollingFlows({ count, seed, minMs, maxMs });
    return scheduleStrategies({ seed, rule, burst }).map((s) => ({ flows: set, key: s.key, ...(s.label ? { strategy: s.label } : {}), ...replay(flows, s) }));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ruleArg = process.argv.find((a) => a.startsWith('--rule='));
  const rows = scheduleRows({ flowSets: { ...FLOW_SETS, ...BURST_SETS }, rule: ruleArg ? JSON.parse(ruleArg.slice('--rule='.length)) : undefined });
  printTable('Part 6, schedules alone (server never holds; instant answers)', rows);
}
