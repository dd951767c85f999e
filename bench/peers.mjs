// Part 6, peers: the pollers people would pick instead of this library, side by side with it
// on the same executions. Two flow sets (part 1's mix: 200 executions of 0.5–20 s; and 200
// short ones of 2–10 s), each against two simulator servers in child processes (one holds a
// progress call when asked, one never holds), one after another: four phases. Every strategy
// runs in a process of its own (bench/peersChild.mjs, which says how each peer is configured),
// all of a phase's rows at once, execution i starting at the same moment in every row.
import { fileURLToPath } from 'node:url';
import { mean, mulberry32, percentile, printTable, round, target } from './common.mjs';
import { pollingFlows, serverTimeline, stateChanges } from './pollingFlows.mjs';
import { FLOW_SETS, scheduleRows } from './peersSchedule.mjs';
import { forkWithCalls, startSimulatorChild } from './simulatorChild.mjs';

const SEED = 20240607; // part 1's: the long mix is part 1's 200 flows
const WARM_UP_FLOW = {
  id: '5f1b0000-0000-4000-8000-0000000fffff',
  displayName: 'Warm-up',
  stages: [0, 30, 60].map((percentage, k) => ({ message: `Warm-up ${k + 1}`, durationMs: 150, percentage })),
  outcome: 'Success',
};
const SERVERS = {
  holds: { label: 'holds when asked', progressHold: { mode: 'asked' } },
  never: { label: 'never holds', progressHold: { mode: 'ignore', defaultSeconds: 0 } },
};
/** Rows, in table order. `ours` marks this library's rows (the others are the peers). */
export const PEER_STRATEGIES = [
  { key: 'd', label: 'smart-flows-rx default', ours: true },
  { key: 'e', label: 'smart-flows-rx waitSeconds 30', ours: true },
  { key: 'lro', label: '@azure/core-lro 3 (default 2 s, Retry-After)' },
  { key: 'waiter', label: '@smithy/util-waiter 4 (2–120 s)' },
  { key: 'query', label: '@tanstack/query-core 5 (refetchInterval 1 s)' },
  { key: 'rxp5', label: 'rx-polling 1 (interval 5 s)' },
  { key: 'rxp1', label: 'rx-polling 1 (interval 1 s)' },
  { key: 'timer', label: 'timer(0, 1000) + switchMap + takeWhile' },
  { key: 'v200', label: 'vendor loop 200 ms (Java sample)' },
  { key: 'v1s', label: 'vendor loop 1 s (C# sample)' },
];

const childScript = fileURLToPath(new URL('./peersChild.mjs', import.meta.url));

/** One strategy's process, driven over IPC like the simulator's. */
function startStrategyChild() {
  const { child, call } = forkWithCalls(childScript, 'strategy process');
  return { call, kill: () => child.kill() };
}

/**
 * The literal target of issue 31 for `ours` against every peer: fewer requests than every peer
 * whose p95 lag is no better, and a lower p95 lag than every peer with as many or more requests.
 * @returns the peers that break it (empty: ours dominates all of them)
 */
export function notDominated(ours, peers) {
  return peers.filter((p) =>
    (p.lagP95Ms >= ours.lagP95Ms && !(ours.requestsPerExecution < p.requestsPerExecution))
    || (p.requestsPerExecution >= ours.requestsPerExecution && !(ours.lagP95Ms < p.lagP95Ms)));
}

/** The peers that dominate `ours` (as few or fewer requests and as low or lower p95 lag, one of them strictly). */
export function dominating(ours, peers) {
  return peers.filter((p) =>
    p.requestsPerExecution <= ours.requestsPerExecution && p.lagP95Ms <= ours.lagP95Ms
    && (p.requestsPerExecution < ours.requestsPerExecution || p.lagP95Ms < ours.lagP95Ms));
}

/** One flow set against one server: every strategy's process at once, then the figures. */
async function runPhase(setKey, serverKey, { count }) {
  const set = FLOW_SETS[setKey];
  const flows = pollingFlows({ count, seed: SEED, minMs: set.minMs, maxMs: set.maxMs });
  const random = mulberry32(SEED + 1);
  const offsets = flows.map(() => Math.round(random() * set.spreadMs));
  const server = await startSimulatorChild({ flows: [...flows, WARM_UP_FLOW], seed: SEED, progressHold: SERVERS[serverKey].progressHold });
  const rows = PEER_STRATEGIES.map((s) => ({ ...s, child: startStrategyChild() }));
  try {
    // Warmed up one after another: ten Node processes loading at once on 2 cores would still
    // be compiling while the first ones measure.
    for (const row of rows) await row.child.call('run', { strategy: row.key, server: { url: server.url, apiKey: server.apiKey }, warmUpFlowId: WARM_UP_FLOW.id });
    const startAtMs = Date.now() + 1000;
    const plan = flows.map((f, i) => ({ id: f.id, offsetMs: offsets[i] }));
    const wallStart = Date.now();
    const outs = await Promise.all(rows.map((row) => row.child.call('go', { flows: plan, startAtMs })));
    const wallMs = Date.now() - wallStart;
    const createdAt = await server.call('createdAt', { ids: outs.flatMap((o) => o.results.map((r) => r.id).filter(Boolean)) });
    const figures = rows.map((row, i) => {
      const { results, cpuMicros } = outs[i];
      const per = results.map((r, k) => {
        if (r.error) return { error: r.error };
        const timeline = serverTimeline(flows[k], createdAt[r.id]);
        return { requests: r.requests, lagMs: r.doneAtMs - timeline.terminalAtMs, changes: stateChanges(timeline) };
      });
      const ok = per.filter((p) => !p.error);
      const lags = ok.map((p) => p.lagMs);
      return {
        flows: setKey,
        key: row.key,
        strategy: row.label,
        ours: row.ours === true,
        server: SERVERS[serverKey].label,
        requestsPerExecution: mean(ok.map((p) => p.requests)),
        lagP50Ms: percentile(lags, 50),
        lagP95Ms: percentile(lags, 95),
        cpuMsPerExecution: cpuMicros / 1000 / results.length,
        stateChangesPerExecution: mean(ok.map((p) => p.changes)),
        errors: per.length - ok.length,
        firstError: per.find((p) => p.error)?.error,
      };
    });
    const durations = flows.map((f) => (f.queueMs ?? 0) + f.stages.reduce((s, st) => s + st.durationMs, 0));
    return { figures, wallMs, durationMs: { min: Math.min(...durations), p50: percentile(durations, 50), max: Math.max(...durations), mean: round(mean(durations)) } };
  } finally {
    for (const row of rows) row.child.kill();
    await server.close();
  }
}

export async function runPeersBenchmark({ count = 200 } = {}) {
  const rows = [];
  const sets = {};
  for (const setKey of Object.keys(FLOW_SETS)) {
    for (const serverKey of Object.keys(SERVERS)) {
      const { figures, wallMs, durationMs } = await runPhase(setKey, serverKey, { count });
      rows.push(...figures);
      sets[setKey] = { ...FLOW_SETS[setKey], durationMs, wallMs: { ...sets[setKey]?.wallMs, [serverKey]: wallMs } };
    }
  }
  const targets = [];
  for (const setKey of Object.keys(FLOW_SETS)) {
    for (const server of Object.values(SERVERS).map((s) => s.label)) {
      const here = rows.filter((r) => r.flows === setKey && r.server === server);
      const ours = here.find((r) => r.key === 'd');
      const peers = here.filter((r) => !r.ours);
      const breaks = notDominated(ours, peers);
      const above = dominating(ours, peers);
      targets.push(
        target(`${setKey}, ${server}: peers the default does not dominate (fewer requests, or lower p95 lag, than each)`, breaks.length, '0', breaks.length === 0),
        target(`${setKey}, ${server}: peers that dominate the default`, above.length, '0', above.length === 0),
      );
      const last = targets.at(-2);
      if (breaks.length) last.peers = breaks.map((p) => p.key).join(', ');
    }
  }

  // The schedules alone (bench/peersSchedule.mjs): the same comparison without the machine's noise.
  const label = Object.fromEntries(PEER_STRATEGIES.map((p) => [p.key, p.label]));
  const schedule = scheduleRows({ count, seed: SEED, flowSets: FLOW_SETS }).map((r) => ({ ...r, strategy: label[r.key], ours: r.key === 'd' }));
  for (const setKey of Object.keys(FLOW_SETS)) {
    const here = schedule.filter((r) => r.flows === setKey);
    const ours = here.find((r) => r.key === 'd');
    const peers = here.filter((r) => !r.ours);
    const breaks = notDominated(ours, peers);
    const above = dominating(ours, peers);
    targets.push(
      { ...target(`schedules alone, ${setKey}, never holds: peers the default does not dominate`, breaks.length, '0', breaks.length === 0), ...(breaks.length ? { peers: breaks.map((p) => p.key).join(', ') } : {}) },
      target(`schedules alone, ${setKey}, never holds: peers that dominate the default`, above.length, '0', above.length === 0),
    );
  }

  printTable(`Part 6: peers, ${count} executions per row and set, real time; each strategy in its own process`, rows.map((r) => ({
    flows: r.flows,
    strategy: r.strategy,
    server: r.server,
    'req/exec': r.requestsPerExecution,
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
    'CPU ms/exec': r.cpuMsPerExecution,
    errors: r.errors,
  })));
  printTable('Part 6, schedules alone (server never holds, instant answers, no machine)', schedule.map((r) => ({
    flows: r.flows,
    strategy: r.strategy,
    'req/exec': r.requestsPerExecution,
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
  })));
  printTable('Part 6 targets', targets.map((t) => ({ ...t, peers: t.peers ?? '' })));
  for (const r of rows) if (r.firstError) console.error(`${r.flows} ${r.key} ${r.server}: ${r.errors} errors, e.g. ${r.firstError}`);

  return {
    setup: {
      executionsPerRow: count,
      seed: SEED,
      flowSets: sets,
      notes: [
        'Each row is one strategy in a Node process of its own (bench/peersChild.mjs says how each peer is configured); four phases (flow set × server) one after another, all rows of a phase at once, execution i starting at the same moment in every row; arrivals spread uniformly over the set\'s spreadMs.',
        'The simulator server runs in a child process: in one phase it holds a progress call when asked (timeout > 0), in the other it never holds. Peers do not ask for a hold (the vendor 200 ms loop sends timeout=-1), so their two rows differ only by noise.',
        'Every strategy uses the same fetch (the runtime\'s, with the bench\'s one retry on a socket closed while idle), starts with the same POST and ends with the same final GET of the execution; lag = that answer read minus the terminal moment from the script and the server-side createdAt.',
        'Requests = progress GETs per execution. CPU = process.cpuUsage() of the strategy\'s process from the common start to its last execution done, ÷ executions (timers and idle work of the process included).',
        'schedule: each strategy\'s poll schedule replayed against the same scripted timelines with instant answers (bench/peersSchedule.mjs), server never holding: deterministic, what the schedules alone cost and give.',
        'Targets (issue 31): against each server and flow set, the default needs fewer requests than every peer whose p95 lag is no better, and has a lower p95 lag than every peer with as many or more requests; and, weaker, no peer dominates it.',
      ],
    },
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    schedule,
    targets,
  };
}
