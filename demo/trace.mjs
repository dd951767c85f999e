// `npm run demo -- --trace`: the demo's spans, exported with OTLP/HTTP (JSON) to a small
// receiver this file starts on 127.0.0.1, printed as a tree when the demo ends and written to
// <out>/trace.json (the OTLP payloads as received). No collector to install: the SDK
// (@opentelemetry/sdk-trace-base) and `smart-flows-rx/otel` make the spans, the exporter below
// posts them as any OTLP/HTTP exporter would (JSON encoding, POST /v1/traces).
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { instrumentSmartFlows } from 'smart-flows-rx/otel';

/** A local OTLP/HTTP receiver: keeps every span posted to /v1/traces (JSON). */
async function startReceiver() {
  const payloads = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
        res.writeHead(415).end();
        return;
      }
      payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/v1/traces`, payloads, close: () => new Promise((resolve) => server.close(resolve)) };
}

// OTLP/JSON encoding of the SDK's spans (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
const nanos = ([s, ns]) => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();
const anyValue = (v) =>
  typeof v === 'boolean' ? { boolValue: v } : typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: String(v) };
const attributes = (attrs = {}) => Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
const otlpSpan = (s) => ({
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  ...(s.parentSpanContext?.spanId ? { parentSpanId: s.parentSpanContext.spanId } : {}),
  name: s.name,
  kind: s.kind + 1,
  startTimeUnixNano: nanos(s.startTime),
  endTimeUnixNano: nanos(s.endTime),
  attributes: attributes(s.attributes),
  events: s.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.time), attributes: attributes(e.attributes) })),
  links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: attributes(l.attributes) })),
  status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
});

/** A span exporter posting OTLP/HTTP JSON to `url` (what @opentelemetry/exporter-trace-otlp-http does, in 20 lines). */
function otlpHttpJsonExporter(url) {
  return {
    export(spans, done) {
      const body = { resourceSpans: [{ resource: { attributes: attributes({ 'service.name': 'smart-flows-demo' }) }, scopeSpans: [{ scope: { name: 'smart-flows-rx' }, spans: spans.map(otlpSpan) }] }] };
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
        (res) => done({ code: res.ok ? 0 : 1 }),
        (error) => done({ code: 1, error }),
      );
    },
    shutdown: () => Promise.resolve(),
  };
}

/** The tree of the spans the receiver got: each run with a one-line summary of its requests. */
function printTree(payloads) {
  const spans = payloads.flatMap((p) => p.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
  const attr = (s, key) => {
    const v = s.attributes.find((a) => a.key === key)?.value;
    return v && (v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue);
  };
  const ms = (s) => `${Math.round(Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6)} ms`;
  const children = (s) => spans.filter((c) => c.parentSpanId === s.spanId).sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  const lines = [];
  const show = (s, depth) => {
    const http = children(s).filter((c) => attr(c, 'http.request.method'));
    const status = attr(s, 'smart_flows.execution.status');
    const error = attr(s, 'error.type');
    const retries = s.events.filter((e) => e.name === 'smart_flows.retry').length;
    const detail = [status, error, attr(s, 'smart_flows.execution.id')?.slice(0, 8)].filter(Boolean).join(' ');
    lines.push(`${'  '.repeat(depth)}${s.name}  ${ms(s)}${detail ? `  ${detail}` : ''}`);
    if (http.length) {
      const byRoute = new Map();
      for (const h of http) byRoute.set(h.name, (byRoute.get(h.name) ?? 0) + 1);
      lines.push(`${'  '.repeat(depth + 1)}${http.length} HTTP spans: ${[...byRoute].map(([name, n]) => `${n}× ${name}`).join(', ')}${retries ? `; ${retries} retried` : ''}`);
    }
    for (const c of children(s)) if (!attr(c, 'http.request.method')) show(c, depth + 1);
  };
  for (const root of spans.filter((s) => !s.parentSpanId)) show(root, 0);
  return { spans: spans.length, text: lines.join('\n') };
}

/** Sets up the SDK, the exporter and the receiver; `within(fn)` runs the demo under one root span; `finish()` prints the tree. */
export async function startTracing(outDir) {
  const receiver = await startReceiver();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(otlpHttpJsonExporter(receiver.url))] });
  trace.setGlobalTracerProvider(provider);
  const stop = instrumentSmartFlows({ httpSpans: true });
  const tracer = trace.getTracer('smart-flows-demo');
  return {
    receiverUrl: receiver.url,
    within: (fn) =>
      tracer.startActiveSpan('smart-flows demo', async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      }),
    async finish() {
      stop();
      await provider.forceFlush();
      await provider.shutdown();
      await receiver.close();
      const file = join(outDir, 'trace.json');
      await writeFile(file, `${JSON.stringify(receiver.payloads, null, 2)}\n`);
      const tree = printTree(receiver.payloads);
      console.log(`\nTrace (${tree.spans} spans, OTLP/HTTP JSON to ${receiver.url}; all of it in ${file}):\n${tree.text}`);
    },
  };
}
