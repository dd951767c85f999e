// `npm run bench:charts`: the benchmark charts, drawn from bench/results.json into docs/img/*.svg.
//
// Charting library: Vega-Lite 6 compiled to a Vega 6 spec, rendered by Vega's headless view
// (`renderer: 'none'`, `toSVG()`): plain SVG in Node, no browser and no DOM shim. The SVG is
// byte-stable: fixed sizes and fonts, text widths from Vega's own estimate (never a canvas that
// may or may not be installed), clip-path ids reset before each chart, every decimal in the SVG
// rounded to 2 places. So the same results.json gives the same bytes on any machine, and
// `--check` (spec/bench/charts.spec.ts) can compare byte for byte.
//
//   node scripts/bench-charts.mjs                     write docs/img/bench-*.svg
//   node scripts/bench-charts.mjs --check             exit 1 if a committed SVG differs (or is missing/extra)
//   node scripts/bench-charts.mjs --results=-         read results.json from stdin (with --check: a test's edited copy)
//   node scripts/bench-charts.mjs --alt               print the Markdown that shows the charts (alt text included)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';

const root = fileURLToPath(new URL('..', import.meta.url));
const imgDir = `${root}docs/img`;
const PREFIX = 'bench-';

const FONT = 'Helvetica, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, labelFont: FONT, titleFont: FONT },
  legend: { labelFontSize: 11, titleFontSize: 12, labelFont: FONT, titleFont: FONT, labelLimit: 0 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFont: FONT, titleFont: FONT },
  title: { fontSize: 14, font: FONT, anchor: 'start' },
};

/** The charts: each gives its Vega-Lite spec from results.json, or undefined when its data is absent. */
export const CHARTS = [
  {
    name: 'peers',
    alt: 'Scatter plots, one per flow set (part 1 mix, short flows) and column (server holds when asked, server never holds, and the schedules alone replayed without network or machine): progress requests per execution (log x axis) against p95 completion lag (log y axis), one point per strategy: smart-flows-rx default and long poll, @azure/core-lro, @smithy/util-waiter, @tanstack/query-core, rx-polling at 5 s and 1 s, a plain timer loop, the vendor 200 ms and 1 s loops. Lower left is better.',
    spec: (results) => {
      const part = results.parts?.peers;
      if (!part?.rows?.length) return undefined;
      const sets = part.setup?.flowSets ?? {};
      const columns = ['server holds when asked', 'server never holds', 'schedules alone (never holds, instant answers)'];
      const point = (r, column) => ({
        flows: sets[r.flows]?.label ?? r.flows,
        column,
        strategy: r.strategy,
        who: r.ours ? 'smart-flows-rx' : 'peer',
        requests: r.requestsPerExecution,
        lagP95: Math.max(1, r.lagP95Ms),
      });
      const values = [...part.rows.map((r) => point(r, `server ${r.server}`)), ...(part.schedule ?? []).map((r) => point(r, columns[2]))];
      // Log axes over powers of ten that hold every point (a noisy run's lags can reach tens of seconds).
      const decade = (max) => 10 ** Math.ceil(Math.log10(max));
      return {
        title: 'Part 6: progress requests per execution vs p95 completion lag',
        data: { values },
        facet: {
          row: { field: 'flows', type: 'nominal', title: null, sort: Object.values(sets).map((s) => s.label) },
          column: { field: 'column', type: 'nominal', title: null, sort: columns },
        },
        spec: {
          width: 230,
          height: 200,
          mark: { type: 'point', filled: true, size: 80, opacity: 0.85 },
          encoding: {
            x: { field: 'requests', type: 'quantitative', title: 'progress requests / execution', scale: { type: 'log', domain: [1, decade(Math.max(...values.map((v) => v.requests)))] } },
            y: { field: 'lagP95', type: 'quantitative', title: 'p95 lag, ms (log)', scale: { type: 'log', domain: [1, decade(Math.max(...values.map((v) => v.lagP95)))] } },
            color: { field: 'strategy', type: 'nominal', title: 'strategy', legend: { labelLimit: 0 }, sort: part.rows.map((r) => r.strategy).filter((s, i, a) => a.indexOf(s) === i), scale: { scheme: 'tableau10' } },
            shape: { field: 'who', type: 'nominal', title: null, scale: { domain: ['smart-flows-rx', 'peer'], range: ['diamond', 'circle'] } },
          },
        },
      };
    },
  },
  {
    name: 'tracker',
    alt: 'Line chart on log axes: status requests per 1 s cycle against live executions, all started at once (part 4); per-execution polling grows with the number of executions, the listing tracker stays near one request per cycle.',
    spec: (results) => {
      const rows = (results.parts?.tracking?.rows ?? []).filter((r) => !r.listing);
      if (!rows.length) return undefined;
      const values = rows.map((r) => ({
        executions: r.executions,
        strategy: r.strategy,
        perCycle: r.strategy === 'listing tracker' ? r.listRequestsPerCycle : r.progressRequests / r.virtualSeconds,
      }));
      return {
        title: 'Part 4: status requests per 1 s cycle vs live executions',
        width: 420,
        height: 260,
        data: { values },
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'executions', type: 'quantitative', title: 'live executions (log)', scale: { type: 'log' }, axis: { values: rows.map((r) => r.executions).filter((v, i, a) => a.indexOf(v) === i) } },
          y: { field: 'perCycle', type: 'quantitative', title: 'status requests per cycle (log)', scale: { type: 'log' } },
          color: { field: 'strategy', type: 'nominal', title: null, scale: { scheme: 'tableau10' } },
        },
      };
    },
  },
  {
    name: 'ramp',
    alt: 'Two line charts over the load ramp of part 2 (live executions on a log x axis): left, heap per live execution in KB for the client and a bare fetch loop, with the 8 KB target; right, the client\'s CPU per request divided by bare fetch\'s, with the 1.25 target.',
    spec: (results) => {
      const rows = results.parts?.overhead?.rows ?? [];
      if (!rows.length) return undefined;
      const heap = rows.flatMap((r) => [
        { executions: r.executions, side: 'client', kb: r.clientHeapBytesPerExecution / 1024 },
        { executions: r.executions, side: 'bare fetch', kb: r.fetchHeapBytesPerExecution / 1024 },
      ]);
      const cpu = rows.map((r) => ({ executions: r.executions, ratio: r.cpuRatio }));
      const x = { field: 'executions', type: 'quantitative', title: 'live executions (log)', scale: { type: 'log' }, axis: { values: rows.map((r) => r.executions) } };
      return {
        title: 'Part 2: heap per live execution and CPU ratio over the load ramp',
        hconcat: [
          {
            width: 260,
            height: 220,
            layer: [
              {
                data: { values: heap },
                mark: { type: 'line', point: { filled: true, size: 60 } },
                encoding: { x, y: { field: 'kb', type: 'quantitative', title: 'heap per live execution, KB' }, color: { field: 'side', type: 'nominal', title: null, scale: { scheme: 'tableau10' } } },
              },
              { data: { values: [{ y: 8 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
            ],
          },
          {
            width: 260,
            height: 220,
            layer: [
              {
                data: { values: cpu },
                mark: { type: 'line', point: { filled: true, size: 60 }, color: '#4e79a7' },
                encoding: { x, y: { field: 'ratio', type: 'quantitative', title: 'client ÷ bare fetch, CPU per request', scale: { domain: [Math.min(0.8, ...cpu.map((c) => c.ratio)), Math.max(1.6, ...cpu.map((c) => c.ratio))] } } },
              },
              { data: { values: [{ y: 1.25 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
            ],
          },
        ],
      };
    },
  },
  {
    name: 'fleet',
    alt: 'Stacked horizontal bars: the BullMQ fleet\'s status requests per 1 s cycle (mean over the seconds with the fleet nearly full), with the listing tracker (listing requests, the progress requests it still sends, reconciliation listings) against per-execution polling (progress requests); each bar\'s label gives its live executions.',
    // The fleet bench of issue 29 (`npm run bench -- --part=fleet`, bench/fleet.mjs): drawn once
    // results.json has `parts.fleet.fleet` (its `listing` and `polling` phases, each figure a
    // `{ perCycle, live }`), or, in a simpler shape, `parts.fleet.rows` of `{ executions,
    // requestsPerCycle, strategy? }`.
    spec: (results) => {
      const part = results.parts?.fleet;
      const f = part?.fleet;
      let values;
      if (f?.listing && f?.polling) {
        const tracker = `listing tracker (${f.listing.listRequestsPerCycle.live} live)`;
        const polling = `per-execution polling (${f.polling.progressRequestsPerSecond.live} live)`;
        values = [
          { mode: tracker, kind: 'listing requests', perCycle: f.listing.listRequestsPerCycle.perCycle },
          { mode: tracker, kind: 'progress requests', perCycle: f.listing.progressRequestsPerSecond?.perCycle ?? 0 },
          { mode: tracker, kind: 'reconciliation listings', perCycle: f.listing.reconciliationListRequestsPerSecond?.perCycle ?? 0 },
          { mode: polling, kind: 'progress requests', perCycle: f.polling.progressRequestsPerSecond.perCycle },
        ];
      } else if (part?.rows?.length) {
        values = part.rows.map((r) => ({ mode: `${r.strategy ?? 'fleet'} (${r.executions ?? r.workers} ${r.executions === undefined ? 'workers' : 'live'})`, kind: 'status requests', perCycle: r.requestsPerCycle }));
      } else {
        return undefined;
      }
      return {
        title: 'Fleet (BullMQ workers): status requests per 1 s cycle',
        width: 420,
        height: 120,
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'mode', type: 'nominal', title: null, sort: values.map((v) => v.mode).filter((m, i, a) => a.indexOf(m) === i), axis: { labelLimit: 0 } },
          x: { field: 'perCycle', type: 'quantitative', title: 'requests per cycle (mean)', stack: 'zero' },
          color: { field: 'kind', type: 'nominal', title: null, scale: { scheme: 'tableau10' }, sort: ['listing requests', 'progress requests', 'reconciliation listings', 'status requests'] },
        },
      };
    },
  },
];

/** Every decimal number in the SVG to at most 2 places (and no trailing zeros). */
const roundNumbers = (svg) => svg.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100));

/** Renders one Vega-Lite spec to SVG text, byte-stable. */
export async function renderSvg(spec, description) {
  vega.textMetrics.width = vega.textMetrics.estimateWidth;
  vega.resetSVGDefIds();
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', description, config: CONFIG, ...spec };
  const view = new vega.View(vega.parse(vl.compile(full).spec), { renderer: 'none' });
  try {
    return `${roundNumbers(await view.toSVG())}\n`;
  } finally {
    view.finalize();
  }
}

/** The SVGs for these results: `{ 'bench-peers.svg': '<svg…' }`, only the charts whose data is there. */
export async function renderCharts(results) {
  const out = {};
  for (const chart of CHARTS) {
    const spec = chart.spec(results);
    if (spec) out[`${PREFIX}${chart.name}.svg`] = await renderSvg(spec, chart.alt);
  }
  return out;
}

async function main() {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : true];
  }));
  const source = args.results === '-' ? readFileSync(0, 'utf8') : readFileSync(args.results ?? `${root}bench/results.json`, 'utf8');
  const results = JSON.parse(source);
  const svgs = await renderCharts(results);
  if (args.alt) {
    for (const chart of CHARTS) if (svgs[`${PREFIX}${chart.name}.svg`]) console.log(`![${chart.alt}](img/${PREFIX}${chart.name}.svg)\n`);
    return;
  }
  if (args.check) {
    const committed = existsSync(imgDir) ? readdirSync(imgDir).filter((f) => f.startsWith(PREFIX) && f.endsWith('.svg')) : [];
    const stale = Object.keys(svgs).filter((f) => !committed.includes(f) || readFileSync(`${imgDir}/${f}`, 'utf8') !== svgs[f]);
    const extra = committed.filter((f) => !(f in svgs));
    if (stale.length || extra.length) {
      console.error(`docs/img differs from bench/results.json: ${[...stale, ...extra.map((f) => `${f} (no data for it)`)].join(', ')}. Run npm run bench:charts.`);
      process.exitCode = 1;
    }
    return;
  }
  for (const [file, svg] of Object.entries(svgs)) writeFileSync(`${imgDir}/${file}`, svg);
  console.log(`Wrote ${Object.keys(svgs).map((f) => `docs/img/${f}`).join(', ')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
