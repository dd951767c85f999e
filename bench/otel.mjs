// Issue 27's budget: CPU per request of N watched executions with OpenTelemetry on (the SDK,
// spans to an exporter that drops them, metrics to a reader that never exports) against the
// same run without it. Not a part of `npm run bench`; run after `npm run build`:
//   node --expose-gc bench/otel.mjs [--executions=1000] [--window=8000] [--http-spans]
import { parseArgs } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SmartFlowsClient } from 'smart-flows-rx';
import { instrumentSmartFlows } from 'smart-flows-rx/otel';
import { mean, sleep } from './common.mjs';
import { startSimulatorChild } from './simulatorChild.mjs';

const { values } = parseArgs({ options: { executions: { type: 'string', default: '1000' }, window: { type: 'string', default: '8000' }, 'http-spans': { type: 'boolean', default: false } } });
const N = Number(values.executions);
const WINDOW_MS = Number(values.window);
const REQUESTS_PER_SECOND = 500;
const FLOW = {
  id: '5f1b0000-0000-4000-8000-0000000eeeee',
  displayName: 'Scale flow',
  stages: Array.from({ length: 40 }, (_, k) => ({ message: `Part ${k + 1} of 40`, durationMs: 30_000, percentage: Math.round((100 * k) / 40) })),
  outcome: 'Success',
};

/** Drops every span (the SDK's work is counted, no export's). */
const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
class SilentReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  onForceFlush() { return Promise.resolve(); }
  onShutdown() { return Promise.resolve(); }
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
const meterProvider = new MeterProvider({ readers: [new SilentReader()] });

const server = await startSimulatorChild({ flows: [FLOW], seed: 27, progressHold: { mode: 'ignore', defaultSeconds: 0 } });
const cpuMicros = (since) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

async function phase(otel, ids) {
  const stop = otel ? instrumentSmartFlows({ tracerProvider, meterProvider, httpSpans: values['http-spans'] }) : undefined;
  const intervalMs = Math.round((ids.length * 1000) / REQUESTS_PER_SECOND);
  let requests = 0;
  const fetch = (url, init) => {
    requests++;
    return globalThis.fetch(url, init);
  };
  const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey, fetch, polling: { intervalMs, maxIntervalMs: intervalMs } });
  const subs = [];
  for (const id of ids) {
    subs.push(client.watch(id).subscribe({ error: (e) => console.error('watch failed:', e.message) }));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(intervalMs);
  global.gc?.();
  const r0 = requests;
  const c0 = process.cpuUsage();
  await sleep(WINDOW_MS);
  const cpu = cpuMicros(c0);
  const count = requests - r0;
  for (const s of subs) s.unsubscribe();
  stop?.();
  await sleep(300);
  return { otel, requests: count, cpuMicrosPerRequest: cpu / count };
}

try {
  const warm = await server.call('create', { flowId: FLOW.id, count: 100 });
  await phase(false, warm);
  await phase(true, warm);
  const ids = await server.call('create', { flowId: FLOW.id, count: N });
  const phases = [];
  // A B B A A B: drift in the machine's load hits both sides alike.
  for (const otel of [false, true, true, false, false, true]) phases.push(await phase(otel, ids));
  const off = mean(phases.filter((p) => !p.otel).map((p) => p.cpuMicrosPerRequest));
  const on = mean(phases.filter((p) => p.otel).map((p) => p.cpuMicrosPerRequest));
  for (const p of phases) console.log(`${p.otel ? 'otel on ' : 'otel off'}  ${p.requests} requests  ${p.cpuMicrosPerRequest.toFixed(1)} µs/request`);
  console.log(`\n${N} executions, ${WINDOW_MS} ms windows, HTTP spans ${values['http-spans'] ? 'on' : 'off'}: off ${off.toFixed(1)} µs/request, on ${on.toFixed(1)} µs/request, on ÷ off ${(on / off).toFixed(3)} (budget ≤ 1.15)`);
} finally {
  await server.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
}
