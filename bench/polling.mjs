// Part 1, polling efficiency: the same 200 scripted executions followed by each strategy,
// all side by side in real time against two simulator servers in other processes: one that
// holds a progress call when asked (`timeout` > 0, as today's simulator), one that never holds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SmartFlowsClient } from 'smart-flows-rx';
import { mean, mulberry32, percentile, printTable, round, sleep, target } from './common.mjs';
import { baselineStrategies, followWithFetchLoop, proposedStrategy } from './pollingBaselines.mjs';
import { meanStalenessMs, pollingFlows, serverTimeline, stateChanges } from './pollingFlows.mjs';
import { startSimulatorChild } from './simulatorChild.mjs';

const SEED = 20240607;
const WARM_UP_FLOW = {
  id: '5f1b0000-0000-4000-8000-0000000fffff',
  displayName: 'Warm-up',
  stages: [0, 30, 60].map((percentage, k) => ({ message: `Warm-up ${k + 1}`, durationMs: 150, percentage })),
  outcome: 'Success',
};
const PROGRESS_URL = /\/flows\/executions\/([0-9a-f-]{36})\/progress/i;

/** A global fetch that counts progress GETs per execution id (and nothing else). */
function countingFetch(counts) {
  return (url, init) => {
    const match = PROGRESS_URL.exec(url);
    if (match && (init?.method ?? 'GET') === 'GET') counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
    return globalThis.fetch(url, init);
  };
}

/** Follows one execution with `client.run`; resolves when the stream ends (either way). */
function followWithClient(client, flowId) {
  return new Promise((resolve) => {
    const shown = [];
    let id;
    let last;
    client.run(flowId, '<Input/>').subscribe({
      next: (event) => {
        id = event.executionId;
        const p = event.progress.percentage;
        if (p !== last) shown.push({ atMs: Date.now(), percentage: p });
        last = p;
      },
      error: (error) => resolve({ id: id ?? error.executionId, shown, doneAtMs: Date.now(), error }),
      complete: () => resolve({ id, shown, doneAtMs: Date.now() }),
    });
  });
}

/** Runs a few short executions through every strategy first: JIT, sockets and caches warm up. */
async function warmUp(strategies) {
  const flow = { id: WARM_UP_FLOW.id };
  await Promise.all(strategies.flatMap((s) => Array.from({ length: 5 }, (_, i) => sleep(i * 100).then(() => s.follow(flow)))));
  for (const s of strategies) s.counts?.clear();
}

/** The two servers: `holds` holds a progress call when asked; `never` ignores `timeout` and answers at once. */
const SERVERS = {
  holds: { label: 'holds when asked', progressHold: { mode: 'asked' } },
  never: { label: 'never holds', progressHold: { mode: 'ignore', defaultSeconds: 0 } },
};

/**
 * @param {{ count?: number, extraPolling?: object[] }} options - `extraPolling`: more client
 *   polling options to try side by side (tuning), each shown as another row.
 */
export async function runPollingBenchmark({ count = 200, spreadMs = 45_000, extraPolling = [] } = {}) {
  const flows = pollingFlows({ count, seed: SEED });
  const servers = {};
  for (const [i, [key, { progressHold }]] of Object.entries(SERVERS).entries()) {
    // A seed of its own: execution ids come from it, and createdAt is looked up by id.
    servers[key] = await startSimulatorChild({ flows: [...flows, WARM_UP_FLOW], seed: SEED + 100 * i, progressHold });
  }
  const server = servers.holds;
  const random = mulberry32(SEED + 1);
  // Arrivals spread uniformly over `spreadMs` (the same moment for execution i under every
  // strategy), so about count × mean duration ÷ spreadMs executions per strategy run at once:
  // a burst of all of them would measure this machine's loopback, not the strategies.
  const offsets = flows.map(() => Math.round(random() * spreadMs));

  const fetchLoop = (s) => ({
    ...s,
    server: 'holds',
    follow: (flow) => followWithFetchLoop({ baseUrl: server.url, apiKey: server.apiKey, flowId: flow.id, delayBefore: s.delays(), query: s.query }),
  });
  const clientStrategy = (key, label, polling, on = 'holds') => {
    const counts = new Map();
    const { url, apiKey } = servers[on];
    // A fresh client after the warm-up: what 'auto' learns of the server is per client, and
    // the measured run must pay for learning it, as a new process would.
    const newClient = () => new SmartFlowsClient({ baseUrl: url, apiKey, fetch: countingFetch(counts), polling });
    let client = newClient();
    return { key, label, polling, counts, server: on, fresh: () => (client = newClient()), follow: (flow) => followWithClient(client, flow.id) };
  };
  const strategies = [
    ...baselineStrategies(SEED + 2).map(fetchLoop),
    clientStrategy('d', "(d) smart-flows-rx default (waitSeconds 'auto')", undefined),
    clientStrategy('e', '(e) smart-flows-rx long poll, waitSeconds 30', { waitSeconds: 30 }),
    fetchLoop(proposedStrategy()),
    clientStrategy('dn', "(d′) smart-flows-rx default (waitSeconds 'auto')", undefined, 'never'),
    clientStrategy('d0', '(d0) smart-flows-rx waitSeconds 0 (the default before auto)', { waitSeconds: 0 }, 'never'),
    ...extraPolling.map((polling, i) => clientStrategy(`d${i + 1}`, `(d${i + 1}) smart-flows-rx ${JSON.stringify(polling)}`, polling)),
  ];

  await warmUp(strategies);
  for (const s of strategies) s.fresh?.();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const wallStart = Date.now();
  const runs = await Promise.all(
    strategies.map(async (strategy) => {
      const results = await Promise.all(flows.map(async (flow, i) => {
        await sleep(offsets[i]);
        return { flow, ...(await strategy.follow(flow)) };
      }));
      return { strategy, results };
    }),
  );
  loop.disable();
  const wallMs = Date.now() - wallStart;

  const createdAt = {};
  for (const [key, child] of Object.entries(servers)) {
    const ids = runs.filter((r) => r.strategy.server === key).flatMap((r) => r.results.map((x) => x.id));
    Object.assign(createdAt, await child.call('createdAt', { ids }));
    await child.close();
  }

  const rows = runs.map(({ strategy, results }) => {
    const per = results.map((r) => {
      const timeline = serverTimeline(r.flow, createdAt[r.id]);
      const requests = r.requests ?? strategy.counts.get(r.id) ?? 0;
      return {
        requests,
        changes: stateChanges(timeline),
        lagMs: r.doneAtMs - timeline.terminalAtMs,
        stalenessMs: meanStalenessMs(timeline, r.shown),
        unexpectedError: r.error && r.error.name !== 'FlowExecutionError' ? String(r.error) : undefined,
      };
    });
    const lags = per.map((p) => p.lagMs);
    return {
      key: strategy.key,
      strategy: strategy.label,
      server: SERVERS[strategy.server].label,
      requestsPerExecution: mean(per.map((p) => p.requests)),
      lagP50Ms: percentile(lags, 50),
      lagP95Ms: percentile(lags, 95),
      lagMaxMs: Math.max(...lags),
      stalenessMeanMs: mean(per.map((p) => p.stalenessMs)),
      stateChangesPerExecution: mean(per.map((p) => p.changes)),
      overChangesPlus2: per.filter((p) => p.requests > p.changes + 2).length,
      unexpectedErrors: per.filter((p) => p.unexpectedError).length,
      firstUnexpectedError: per.find((p) => p.unexpectedError)?.unexpectedError,
    };
  });

  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  const a = by.a;
  for (const r of rows) r.requestsVsA = r.requestsPerExecution / a.requestsPerExecution;
  const ratio = (x, y, limit) => ({ value: x / y, pass: x / y <= limit });
  const dVsE = { requests: ratio(by.d.requestsPerExecution, by.e.requestsPerExecution, 1.1), lag: ratio(by.d.lagP95Ms, by.e.lagP95Ms, 1.1) };
  const dnVsD0 = { requests: ratio(by.dn.requestsPerExecution, by.d0.requestsPerExecution, 1.02), lag: ratio(by.dn.lagP95Ms, by.d0.lagP95Ms, 1.05) };
  const targets = [
    target("(d′) requests ÷ (a) requests (the default where the server never holds)", by.dn.requestsVsA, '≤ 0.2', by.dn.requestsVsA <= 0.2),
    target("(d′) p95 lag ÷ (b) p95 lag", by.dn.lagP95Ms / by.b.lagP95Ms, '≤ 1', by.dn.lagP95Ms <= by.b.lagP95Ms),
    target('(d) requests ÷ (e) requests (the default where the server holds)', dVsE.requests.value, '≤ 1.1', dVsE.requests.pass),
    target('(d) p95 lag ÷ (e) p95 lag', dVsE.lag.value, '≤ 1.1', dVsE.lag.pass),
    target("(d′) requests ÷ (d0) requests (auto costs nothing where the server never holds)", dnVsD0.requests.value, '≤ 1.02', dnVsD0.requests.pass),
    target("(d′) p95 lag ÷ (d0) p95 lag", dnVsD0.lag.value, '≤ 1.05', dnVsD0.lag.pass),
    target('(e) p95 lag, ms', by.e.lagP95Ms, '≤ 50', by.e.lagP95Ms <= 50),
    target('(e) executions with requests > state changes + 2', by.e.overChangesPlus2, `0 of ${count}`, by.e.overChangesPlus2 === 0),
  ];

  printTable(`Part 1: polling efficiency, ${count} executions of 0.5–20 s per strategy, real time (not scaled)`, rows.map((r) => ({
    strategy: r.strategy,
    server: r.server,
    'req/exec': r.requestsPerExecution,
    '× (a)': r.requestsVsA,
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
    'staleness ms': r.stalenessMeanMs,
    'changes/exec': r.stateChangesPerExecution,
    '>changes+2': r.overChangesPlus2,
    errors: r.unexpectedErrors,
  })));
  printTable('Part 1 targets', targets);
  for (const r of rows) if (r.firstUnexpectedError) console.error(`${r.key}: ${r.unexpectedErrors} unexpected errors, e.g. ${r.firstUnexpectedError}`);

  const durations = flows.map((f) => (f.queueMs ?? 0) + f.stages.reduce((s, st) => s + st.durationMs, 0));
  return {
    setup: {
      executionsPerStrategy: count,
      seed: SEED,
      durationMs: { min: Math.min(...durations), p50: percentile(durations, 50), max: Math.max(...durations), mean: round(mean(durations)) },
      queuedFirst: flows.filter((f) => f.queueMs).length,
      timeScale: 1,
      arrivalsSpreadMs: spreadMs,
      notes: [
        `All strategies run side by side in real time (durations and AWS waiter delays not scaled) against simulator servers in child processes: (a)–(e) and (p) against one that holds a progress call when asked (timeout > 0; -1, 0 or none answer at once), (d′) and (d0) against one that never holds; arrivals are spread over ${spreadMs / 1000} s, execution i starting at the same moment under every strategy.`,
        "The clients are created afresh after the warm-up, so (d) and (d′) pay for learning whether the server holds (waitSeconds 'auto' decides once per client).",
        'Lag = the client done (output event, or the final GET of the execution for baselines) minus the terminal moment computed from the script and the server-side createdAt.',
        'Staleness = time-average over [created, terminal) of how long the shown percentage has been out of date (0 while it is current).',
        'The client uses the global fetch, as the baselines do.',
        '(p) is not a baseline: the default delay rule (lib/execution/nextDelay.ts) as a bare fetch loop; (d′) and (d0), on the server that never holds, should match it ((d) long polls the server that holds).',
      ],
    },
    wallMs,
    eventLoopDelayP99Ms: round(loop.percentile(99) / 1e6),
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    targets,
  };
}
