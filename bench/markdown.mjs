// Prints bench/results.json as the Markdown tables of docs/performance.md:
// `node bench/markdown.mjs` after `npm run bench`, then paste over the old tables.
import { readFileSync } from 'node:fs';

const fmt = (v) => (typeof v === 'number' ? Number(v.toPrecision(3)) : v ?? '');
const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));

function table(rows) {
  const keys = Object.keys(rows[0]);
  const cell = (v) => String(v ?? '').replace(/\|/g, '\\|');
  return [`| ${keys.join(' | ')} |`, `|${keys.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(' | ')} |`)].join('\n');
}

const m = results.machine;
console.log(`Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cpuModel}, nproc ${m.nproc}, Node ${m.node}, ${m.platform}; the run took ${results.durationSeconds} s.\n`);

const polling = results.parts.polling;
if (polling) {
  console.log(table(polling.rows.map((r) => ({
    strategy: r.strategy,
    ...(r.server ? { server: r.server } : {}),
    'requests / execution': r.requestsPerExecution,
    '× (a)': r.requestsVsA,
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
    'mean staleness ms': r.stalenessMeanMs,
    'state changes / execution': r.stateChangesPerExecution,
  }))));
  console.log(`\nClient event-loop delay p99 during part 1: ${fmt(polling.eventLoopDelayP99Ms)} ms.\n`);
}

const overhead = results.parts.overhead;
if (overhead) {
  console.log(table(overhead.rows.map((r) => ({
    executions: r.executions,
    'interval ms': r.intervalMs,
    'requests/s': r.requestsPerSecond,
    'bare fetch µs/request': r.fetchCpuMicrosPerRequest,
    'client µs/request': r.clientCpuMicrosPerRequest,
    'client ÷ fetch': r.cpuRatio,
    'bare fetch heap B/execution': r.fetchHeapBytesPerExecution,
    'client heap B/execution': r.clientHeapBytesPerExecution,
    'event-loop p99 ms (fetch / client)': r.clientEventLoopDelayP99Ms == null ? '' : `${fmt(r.fetchEventLoopDelayP99Ms)} / ${fmt(r.clientEventLoopDelayP99Ms)}`,
  }))));
  console.log('');
}

const bundle = results.parts.bundle;
if (bundle) {
  const kb = (bytes) => (bytes / 1024).toFixed(1);
  console.log(table(bundle.entries.map((e) => ({
    bundle: e.name === 'core' ? 'smart-flows-rx (export *)' : e.entry,
    platform: e.platform,
    'up front, minified KB': kb(e.minifiedBytes),
    'up front, gzip KB': kb(e.gzipBytes),
    'shares (minified)': Object.entries(e.shares).map(([k, v]) => `${k} ${Math.round(v.share * 100)} %`).join(', '),
    'lazy chunks': e.lazyChunks?.length ?? (e.lazyChunks ? 1 : 0),
  }))));
  const app = bundle.entries[0];
  if (app?.lazyChunks?.length) {
    console.log('');
    console.log(table(app.lazyChunks.map((c) => ({ 'loaded at the first': c.loads, chunks: c.chunks, 'minified KB': kb(c.minifiedBytes), 'gzip KB': kb(c.gzipBytes), 'gzip KB once the engine is loaded': c.afterEngineGzipBytes === undefined ? '' : kb(c.afterEngineGzipBytes) }))));
  }
  const d = bundle.dashboard;
  if (d?.library?.initial) {
    console.log('');
    const row = (part, m) => ({ part, 'initial gzip KB': kb(m.initial.gzipBytes), 'lazy gzip KB': kb(m.lazy.gzipBytes), 'initial minified KB': kb(m.initial.minifiedBytes), 'lazy minified KB': kb(m.lazy.minifiedBytes) });
    console.log(table([
      ...Object.entries(d.parts).map(([part, m]) => row(part, m)),
      row('smart-flows-rx (core + angular entry)', d.library),
      row(`the whole app (${d.appScripts.files} scripts)`, d.appScripts),
    ]));
  }
  console.log('');
}

const tracking = results.parts.tracking;
if (tracking) {
  console.log(table(tracking.rows.map((r) => ({
    executions: r.executions,
    strategy: r.strategy,
    listing: r.listing,
    'status req/exec': r.statusRequestsPerExecution,
    'all req/exec': r.allRequestsPerExecution,
    'list req/cycle': r.listRequestsPerCycle ?? '',
    'lag p50 ms': r.lagP50Ms,
    'lag p95 ms': r.lagP95Ms,
    fallbacks: r.fallbacks,
  }))));
  if (tracking.steady?.length) {
    console.log('');
    console.log(table(tracking.steady.map((r) => ({
      'quiet executions': r.executions,
      strategy: r.strategy,
      'status req/s': r.statusRequestsPerSecond,
      'progress req/s': r.progressRequestsPerSecond,
      'list req/cycle (mean, max)': r.listRequestsPerCycle === undefined ? '' : `${fmt(r.listRequestsPerCycle)}, ${r.maxListRequestsPerCycle}`,
      'items/cycle': r.itemsPerCycle ?? '',
      'quiet asked/cycle': r.sweptPerCycle ?? '',
    }))));
  }
  console.log('');
}

const peers = results.parts.peers;
if (peers) {
  // Part 6: one table per flow set, the two servers side by side, then the replayed schedules.
  for (const [set, { label }] of Object.entries(peers.setup.flowSets)) {
    const rows = peers.rows.filter((r) => r.flows === set);
    const at = (key, server) => rows.find((r) => r.key === key && r.server === server) ?? {};
    console.log(`Part 6, ${label}:\n`);
    console.log(table([...new Set(rows.map((r) => r.key))].map((key) => {
      const h = at(key, 'holds when asked');
      const n = at(key, 'never holds');
      return {
        strategy: h.strategy ?? n.strategy,
        'server holds: requests / execution': fmt(h.requestsPerExecution),
        'holds: lag p50 / p95 ms': `${fmt(h.lagP50Ms)} / ${fmt(h.lagP95Ms)}`,
        'server never holds: requests / execution': fmt(n.requestsPerExecution),
        'never holds: lag p50 / p95 ms': `${fmt(n.lagP50Ms)} / ${fmt(n.lagP95Ms)}`,
        'client CPU ms / execution (holds / never)': `${fmt(h.cpuMsPerExecution)} / ${fmt(n.cpuMsPerExecution)}`,
        errors: (h.errors ?? 0) + (n.errors ?? 0),
      };
    })));
    console.log('');
  }
  if (peers.schedule) {
    console.log('Part 6, the schedules alone (server never holds, instant answers):\n');
    const sets = Object.keys(peers.setup.flowSets);
    console.log(table([...new Set(peers.schedule.map((r) => r.key))].map((key) => Object.fromEntries([
      ['strategy', peers.schedule.find((r) => r.key === key).strategy],
      ...sets.flatMap((set) => {
        const r = peers.schedule.find((x) => x.key === key && x.flows === set);
        return [[`${set}: requests / execution`, fmt(r.requestsPerExecution)], [`${set}: lag p50 / p95 ms`, `${fmt(r.lagP50Ms)} / ${fmt(r.lagP95Ms)}`]];
      }),
    ]))));
    console.log('');
  }
}

const targets = Object.entries(results.parts).flatMap(([part, r]) => (r.targets ?? []).map((t) => ({ part, ...t, pass: t.pass ? 'yes' : '**no**' })));
if (targets.length) console.log(table(targets));

// Part 5, per Node version (bench/fetch.mjs under scripts/node-matrix.mjs): ratios are undici ÷ node-fetch.
const fetchByNode = Object.values(results.fetchByNode ?? {});
if (fetchByNode.length) {
  console.log('');
  console.log(table(fetchByNode.flatMap((f) => f.rows.map((r) => ({
    node: f.node,
    load: r.load,
    'node-fetch req/s': r.nodeFetchRequestsPerSecond,
    'undici req/s': r.undiciRequestsPerSecond,
    'req/s ratio': r.requestsPerSecondRatio,
    'node-fetch µs/request': r.nodeFetchCpuMicrosPerRequest,
    'undici µs/request': r.undiciCpuMicrosPerRequest,
    'CPU ratio': r.cpuRatio,
  })))));
}
