// Part 6, peers: the pollers people would pick instead of this library, side by side with it
// on the same executions. Two flow sets (part 1's mix: 200 executions of 0.5–20 s; and 200
// short ones of 2–10 s), each against two simulator servers in child processes (one holds a
// progress call when asked, one never holds), one after another: four phases. Every strategy
// runs in a process of its own (bench/peersChild.mjs, which says how each peer is configured),
// all of a phase's rows at once, execution i starting at the same moment in every row.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { mean, mulberry32, percentile, printTable, round, target } from './common.mjs';
import { pollingFlows, serverTimeline, stateChanges } from './pollingFlows.mjs';
import { BURST_SETS, FLOW_SETS, scheduleRows } from './peersSchedule.mjs';
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
 * A point no peer dominates passes it only if it is below every peer on both axes (fewer
 * requests than the cheapest and a lower p95 lag than the fastest at once), which no schedule
 * reaches while the peers span the front; and a point every peer dominates passes it vacuously
 * (each condition is about peers no better than it). So it is reported as `info`, not a target.
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

/** The peers' front: the peers no other peer dominates, by requests per execution (lag falling). */
export function peersFront(peers) {
  return peers
    .filter((p) => dominating(p, peers.filter((q) => q !== p)).length === 0)
    .sort((a, b) => a.requestsPerExecution - b.requestsPerExecution || a.lagP95Ms - b.lagP95Ms);
}

/**
 * The front's p95 lag at `requests` per execution, on log–log axes: interpolated between the
 * two front peers whose request counts bracket it (a straight line between them on the
 * chart's log axes); below the cheapest or above the dearest front peer, that peer's lag.
 */
export function frontLagAt(front, requests) {
  const k = front.findIndex((p) => p.requestsPerExecution >= requests);
  if (k === -1) return front.at(-1).lagP95Ms;
  if (k === 0 || front[k].requestsPerExecution === requests) return front[k].lagP95Ms;
  const a = front[k - 1];
  const b = front[k];
  const t = Math.log(requests / a.requestsPerExecution) / Math.log(b.requestsPerExecution / a.requestsPerExecution);
  return Math.exp(Math.log(a.lagP95Ms) + t * (Math.log(b.lagP95Ms) - Math.log(a.lagP95Ms)));
}

/** T2's margin: the front's p95 lag at the default's request count must be ≥ this × the default's. */
export const BEYOND_FRONT = 1.1;
/** T3's share: where the server holds, the default's p95 lag ≤ this × the front's at its request count. */
export const KEEP_THE_LEAD = 0.1;

/**
 * Issue 31's targets for one flow set × server, redefined in the open (the literal one cannot
 * be met by any single point; see {@link notDominated}):
 * - `info`: the literal target's count (as written it asks for 0), with the lowest request count
 *   and the lowest p95 lag among the peers (a point beating both is what it would take);
 * - T1: no peer dominates the default;
 * - T2 ("beyond the peers' front"): the front's p95 lag at the default's request count
 *   ({@link frontLagAt}) is at least {@link BEYOND_FRONT} × the default's: value = default ÷ front,
 *   limit ≤ 1 ÷ 1.1;
 * - T3 (only `holds`, "keep the lead"): default ÷ front ≤ {@link KEEP_THE_LEAD}.
 * @param where - the name's prefix, e.g. `long, never holds`
 */
export function peerTargets(where, ours, peers, { holds = false } = {}) {
  const breaks = notDominated(ours, peers);
  const cheapest = peers.reduce((a, b) => (b.requestsPerExecution < a.requestsPerExecution ? b : a));
  const fastest = peers.reduce((a, b) => (b.lagP95Ms < a.lagP95Ms ? b : a));
  const above = dominating(ours, peers);
  const front = peersFront(peers);
  const ratio = ours.lagP95Ms / frontLagAt(front, ours.requestsPerExecution);
  const frontKeys = front.map((p) => p.key).join(', ');
  return [
    {
      // An info row, as part 4's: not a target (pass: true), its value what the literal target would need to be 0.
      ...target(`${where}: info, the literal target: peers the default does not dominate`, breaks.length, 'info (as written: 0)', true),
      info: true,
      ...(breaks.length ? { peers: breaks.map((p) => p.key).join(', ') } : {}),
      why: `a point no peer dominates passes it only below every peer on both axes: < ${round(cheapest.requestsPerExecution)} requests (${cheapest.key}) and a p95 lag < ${round(fastest.lagP95Ms)} ms (${fastest.key}) at once`,
    },
    { ...target(`${where}: T1, peers that dominate the default`, above.length, '0', above.length === 0), ...(above.length ? { peers: above.map((p) => p.key).join(', ') } : {}) },
    { ...target(`${where}: T2, default p95 lag ÷ the peers' front at its requests (log–log)`, ratio, `≤ ${round(1 / BEYOND_FRONT)} (front ≥ 1.1 × default)`, ratio * BEYOND_FRONT <= 1), peers: frontKeys },
    ...(holds ? [{ ...target(`${where}: T3, keep the lead: default p95 lag ÷ the front's at its requests`, ratio, `≤ ${KEEP_THE_LEAD}`, ratio <= KEEP_THE_LEAD), peers: frontKeys }] : []),
  ];
}

/** The definitions above, as results.json's setup notes and docs/performance.md say them. */
export const TARGET_NOTES = [
  'Targets (issue 31, redefined in the open): the literal target (fewer requests than every peer whose p95 lag is no better, and a lower p95 lag than every peer with as many or more requests) is kept as info: a point no peer dominates passes it only below every peer on both axes (fewer requests than the cheapest peer and a lower p95 lag than the fastest at once; each info row says which), which no single point reaches while the peers span the front; a point every peer dominates passes it vacuously.',
  'T1: no peer dominates the default (as few or fewer requests and as low or lower p95 lag, one of them strictly).',
  'T2, beyond the peers\' front: the front = the peers no other peer dominates; on log–log axes its p95 lag at the default\'s request count (interpolated between the two front peers whose request counts bracket it; beyond the ends, the nearest front peer\'s lag) must be at least 1.1 × the default\'s p95 lag. Value: default ÷ front (pass ≤ 0.909); peers: the front.',
  'T3, where the server holds (keep the lead): default p95 lag ≤ 0.1 × the front\'s at its request count.',
  'Each applies per flow set × server to the wall-clock rows, and to the replayed schedules (never holds).',
];

/** Every target of part 6 from its rows: wall clock (`rows`), replayed (`schedule`, `burst`). */
export function allPeerTargets({ rows, schedule, burst = [] }) {
  const targets = [];
  for (const [setKey, server] of [...new Set(rows.map((r) => `${r.flows}\u0000${r.server}`))].map((k) => k.split('\u0000'))) {
    const here = rows.filter((r) => r.flows === setKey && r.server === server);
    targets.push(...peerTargets(`${setKey}, ${server}`, here.find((r) => r.key === 'd'), here.filter((r) => !r.ours), { holds: server === SERVERS.holds.label }));
  }
  for (const replayed of [schedule, burst]) {
    for (const setKey of new Set(replayed.map((r) => r.flows))) {
      const here = replayed.filter((r) => r.flows === setKey);
      targets.push(...peerTargets(`schedules alone, ${setKey}, never holds`, here.find((r) => r.key === 'd'), here.filter((r) => r.key !== 'd' && r.key !== 'rule')));
    }
  }
  return targets;
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
  // The schedules alone (bench/peersSchedule.mjs): the same comparison without the machine's noise.
  const label = Object.fromEntries(PEER_STRATEGIES.map((p) => [p.key, p.label]));
  const schedule = scheduleRows({ count, seed: SEED, flowSets: FLOW_SETS }).map((r) => ({ ...r, strategy: label[r.key], ours: r.key === 'd' }));
  const burst = burstRows(label);
  const targets = allPeerTargets({ rows, schedule, burst });

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
  printTargets(targets);
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
        BURST_NOTE,
        ...TARGET_NOTES,
      ],
    },
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    schedule,
    burst,
    targets,
  };
}

const BURST_NOTE = 'burst: issue 31\'s own short-flow scenario, replayed only (bench/peersSchedule.mjs BURST_SETS): 40 executions of 2–8 s (uniform, seed 20240607, end times off the whole second) started together at t = 0 on a fresh client, so the default\'s first poll is its hold probe (at once); three stage shapes: one stage, three equal stages (the simulator\'s built-in short letter), part 1\'s uneven stages.';

/** Issue 31's burst scenario, replayed (deterministic): rows like `schedule`'s. */
function burstRows(label) {
  return scheduleRows({ seed: SEED, flowSets: BURST_SETS }).map((r) => ({ ...r, strategy: label[r.key], ours: r.key === 'd' }));
}

/**
 * `node bench/peers.mjs --targets-only`: the targets recomputed from the rows already in
 * bench/results.json (measured rows untouched; the replayed burst rows computed, they need no
 * machine), written back to `parts.peers` with the setup notes. Nothing is measured.
 */
async function targetsOnly() {
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  const results = JSON.parse(await readFile(file, 'utf8'));
  const part = results.parts.peers;
  const label = Object.fromEntries(PEER_STRATEGIES.map((p) => [p.key, p.label]));
  part.burst = burstRows(label);
  part.targets = allPeerTargets(part);
  part.setup.notes = [...part.setup.notes.filter((n) => !n.startsWith('Targets (issue 31)') && !/^(T[123]|burst)[,:]/.test(n) && n !== BURST_NOTE), BURST_NOTE, ...TARGET_NOTES];
  part.targetsRecomputedAt = new Date().toISOString();
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  printTargets(part.targets);
}

function printTargets(targets) {
  printTable('Part 6 targets', targets.map((t) => ({ target: t.target, value: t.value, limit: t.limit, pass: t.info ? 'info' : t.pass, peers: t.peers ?? '' })));
}

/**
 * `node bench/peers.mjs --variants='[{"backoff":1.5}, {"probe":false}]'`: each delay-rule variant
 * (bench/pollingBaselines.mjs proposedDelays options; `probe: false` drops the burst's hold
 * probe) replayed on every flow set and burst shape, beside the default as it is: requests, p95
 * lag, their change against the default, T1, T2, and whether it beats the vendor 1 s loop on both.
 * `--seed=N` draws every flow set from another seed (part 1's by default).
 */
function variants(list, seed = SEED) {
  const all = { ...FLOW_SETS, ...BURST_SETS };
  const out = [];
  for (const rule of list) {
    const rows = scheduleRows({ seed, flowSets: all, rule });
    for (const set of Object.keys(all)) {
      const here = rows.filter((r) => r.flows === set);
      const [d, v, v1s] = ['d', 'rule', 'v1s'].map((k) => here.find((r) => r.key === k));
      const [, t1, t2] = peerTargets(set, v, here.filter((r) => r.key !== 'd' && r.key !== 'rule'));
      const pct = (a, b) => `${a / b - 1 >= 0 ? '+' : ''}${round(100 * (a / b - 1))} %`;
      out.push({
        rule: JSON.stringify(rule), flows: set, 'req/exec': v.requestsPerExecution, 'lag p95 ms': v.lagP95Ms,
        'Δ req': pct(v.requestsPerExecution, d.requestsPerExecution), 'Δ p95': pct(v.lagP95Ms, d.lagP95Ms),
        T1: t1.pass, T2: t2.value, 'beats 1 s loop': v.requestsPerExecution < v1s.requestsPerExecution && v.lagP95Ms < v1s.lagP95Ms,
      });
    }
  }
  printTable('Part 6, delay-rule variants replayed (Δ against the default rule as it is)', out);
}

const variantsArg = process.argv.find((a) => a.startsWith('--variants='));
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && variantsArg) {
  const seedArg = process.argv.find((a) => a.startsWith('--seed='));
  variants(JSON.parse(variantsArg.slice('--variants='.length)), seedArg ? Number(seedArg.slice('--seed='.length)) : SEED);
}
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--targets-only')) {
  // Not a top-level await: Jest loads this file as CommonJS.
  targetsOnly().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
