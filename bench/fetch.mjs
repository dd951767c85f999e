// Part 5 (optional, `--part=5`), which fetch: the client on cross-fetch's Node build
// (node-fetch 2 over node:http, the library's default in Node) against the runtime's own
// fetch (undici), side by side in this process against the simulator's HTTP server in a
// child process over loopback. Two loads, each run A B B A:
//  - steady: 500 executions watched at ~250 progress requests/s: CPU of this process per request;
//  - saturated: 32 callers each sending getProgress back to back: requests/s and CPU per request.
// Run it under each Node version (scripts/node-matrix.mjs); results.json keeps one entry per
// Node major under `fetchByNode`.
import { lastValueFrom } from 'rxjs';
import crossFetch from 'cross-fetch';
import { SmartFlowsClient } from 'smart-flows-rx';
import { mean, printTable, round, sleep } from './common.mjs';
import { startSimulatorChild } from './simulatorChild.mjs';

const SEED = 515151;
/** Long enough that no execution ends during a run. */
const STEADY_FLOW = {
  id: '5f1b0000-0000-4000-8000-0000000fffff',
  displayName: 'Fetch bench flow',
  stages: Array.from({ length: 40 }, (_, k) => ({ message: `Part ${k + 1} of 40`, durationMs: 30_000, percentage: Math.round((100 * k) / 40) })),
  outcome: 'Success',
};
const STEADY_EXECUTIONS = 500;
const STEADY_REQUESTS_PER_SECOND = 250;
const SATURATED_CALLERS = 32;

/** The two fetches under test, each behind a request counter. */
const FETCHES = {
  'node-fetch': (input, init) => crossFetch(input, init),
  undici: (input, init) => globalThis.fetch(input, init),
};

const cpuMicros = (since) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

function clientFor(server, fetchName, counter, intervalMs) {
  const fetchFn = FETCHES[fetchName];
  return new SmartFlowsClient({
    baseUrl: server.url,
    apiKey: server.apiKey,
    fetch: (input, init) => {
      counter.requests++;
      return fetchFn(input, init);
    },
    polling: { intervalMs, maxIntervalMs: intervalMs },
  });
}

/** Measures `windowMs` of whatever load is running: requests, CPU here and in the server. */
async function measure(server, counter, windowMs) {
  const requests0 = counter.requests;
  const serverCpu0 = await server.call('cpu');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(windowMs);
  const cpu = cpuMicros(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu1 = await server.call('cpu');
  const requests = counter.requests - requests0;
  return {
    requests,
    requestsPerSecond: requests / seconds,
    cpuMicrosPerRequest: cpu / requests,
    serverCpuMicrosPerRequest: (serverCpu1.user + serverCpu1.system - serverCpu0.user - serverCpu0.system) / requests,
  };
}

/** Steady load: every execution watched at one fixed interval, subscriptions spread over it. */
async function steady({ server, fetchName, ids, windowMs }) {
  const intervalMs = Math.round((ids.length * 1000) / STEADY_REQUESTS_PER_SECOND);
  const counter = { requests: 0 };
  const client = clientFor(server, fetchName, counter, intervalMs);
  const subs = [];
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = t0 + (i * intervalMs) / ids.length - performance.now();
    if (wait >= 1) await sleep(wait);
    subs.push(client.watch(ids[i]).subscribe({ error: (e) => console.error(`watch (${fetchName}) failed:`, e.message) }));
  }
  const figures = await measure(server, counter, windowMs);
  for (const sub of subs) sub.unsubscribe();
  await sleep(300);
  return { load: 'steady', fetch: fetchName, ...figures };
}

/** Saturated load: callers each sending one getProgress after another, as fast as answers come. */
async function saturated({ server, fetchName, ids, windowMs }) {
  const counter = { requests: 0 };
  const client = clientFor(server, fetchName, counter, 1000);
  let stopped = false;
  let failures = 0;
  const caller = async (k) => {
    for (let i = k; !stopped; i += SATURATED_CALLERS) {
      await lastValueFrom(client.getProgress(ids[i % ids.length])).catch(() => failures++);
    }
  };
  const callers = Array.from({ length: SATURATED_CALLERS }, (_, k) => caller(k));
  await sleep(300); // sockets open, pools filled
  const figures = await measure(server, counter, windowMs);
  stopped = true;
  await Promise.all(callers);
  await sleep(300);
  return { load: 'saturated', fetch: fetchName, ...figures, failures };
}

export async function runFetchBenchmark({ quick = false } = {}) {
  const windowMs = quick ? 2000 : 5000;
  const server = await startSimulatorChild({ flows: [STEADY_FLOW], seed: SEED });
  const runs = [];
  try {
    const ids = await server.call('create', { flowId: STEADY_FLOW.id, count: STEADY_EXECUTIONS });
    // Warm-up of both (JIT, sockets), not counted.
    for (const fetchName of Object.keys(FETCHES)) await saturated({ server, fetchName, ids, windowMs: 1000 });
    for (const load of [steady, saturated]) {
      // A B B A: drift in the machine's load hits both sides alike.
      for (const fetchName of quick ? ['node-fetch', 'undici'] : ['node-fetch', 'undici', 'undici', 'node-fetch']) {
        runs.push(await load({ server, fetchName, ids, windowMs }));
      }
    }
  } finally {
    await server.close();
  }

  const avg = (load, fetchName, key) => mean(runs.filter((r) => r.load === load && r.fetch === fetchName).map((r) => r[key]));
  const rows = ['steady', 'saturated'].map((load) => ({
    load,
    nodeFetchRequestsPerSecond: avg(load, 'node-fetch', 'requestsPerSecond'),
    undiciRequestsPerSecond: avg(load, 'undici', 'requestsPerSecond'),
    requestsPerSecondRatio: avg(load, 'undici', 'requestsPerSecond') / avg(load, 'node-fetch', 'requestsPerSecond'),
    nodeFetchCpuMicrosPerRequest: avg(load, 'node-fetch', 'cpuMicrosPerRequest'),
    undiciCpuMicrosPerRequest: avg(load, 'undici', 'cpuMicrosPerRequest'),
    cpuRatio: avg(load, 'undici', 'cpuMicrosPerRequest') / avg(load, 'node-fetch', 'cpuMicrosPerRequest'),
    serverCpuMicrosPerRequest: mean(runs.filter((r) => r.load === load).map((r) => r.serverCpuMicrosPerRequest)),
  }));
  printTable(`Part 5: the client on node-fetch (cross-fetch) vs the runtime's fetch (undici), Node ${process.version}; ratios are undici ÷ node-fetch`, rows.map((r) => ({
    load: r.load,
    'node-fetch req/s': r.nodeFetchRequestsPerSecond,
    'undici req/s': r.undiciRequestsPerSecond,
    'req/s ratio': r.requestsPerSecondRatio,
    'node-fetch µs/req': r.nodeFetchCpuMicrosPerRequest,
    'undici µs/req': r.undiciCpuMicrosPerRequest,
    'CPU ratio': r.cpuRatio,
    'server µs/req': r.serverCpuMicrosPerRequest,
  })));
  return {
    node: process.version,
    setup: {
      windowMs,
      steady: { executions: STEADY_EXECUTIONS, requestsPerSecond: STEADY_REQUESTS_PER_SECOND },
      saturated: { callers: SATURATED_CALLERS },
      notes: [
        'node-fetch: the default export of cross-fetch (its Node build, node-fetch 2 over node:http); undici: globalThis.fetch.',
        'CPU is this process only (the simulator runs in a child process); ratios are undici ÷ node-fetch, so a CPU ratio below 1 and a req/s ratio above 1 favour undici.',
        'Each load runs node-fetch, undici, undici, node-fetch (A B B A); figures are the means of the two runs of each.',
      ],
    },
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
  };
}
