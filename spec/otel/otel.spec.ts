import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { concat, lastValueFrom, toArray } from 'rxjs';
import { DIAGNOSTICS_CHANNELS, FlowExecutionError, memoryJournal } from '../../lib/index';
import { instrumentSmartFlows } from '../../lib/otel/index';
import { loadEngine } from '../helpers/marbles';
import { fastClient, FLOW, flowServer } from '../diagnostics/support';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import { fakeJob } from '../bullmq/fakeJob';

// The real OpenTelemetry SDK: in-memory span exporter, sdk-metrics with a reader collected on
// demand, the AsyncLocalStorage context manager (the Node SDK's default).

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush = () => Promise.resolve();
  protected onShutdown = () => Promise.resolve();
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const tracer = tracerProvider.getTracer('spec');
let stop: () => void;

beforeAll(async () => {
  await loadEngine();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  stop = instrumentSmartFlows({ tracerProvider, meterProvider, httpSpans: true });
});
afterAll(() => {
  stop();
  context.disable();
});
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const childrenOf = (parent: ReadableSpan) => spans().filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
/** Runs `fn` under a test span of its own, and gives that span's record once it ended. */
async function underRoot(fn: () => Promise<unknown>): Promise<ReadableSpan> {
  let root!: Span;
  await tracer.startActiveSpan('test', async (span) => {
    root = span;
    try {
      await fn();
    } catch {
      // (a failed run: its span says so)
    }
    span.end();
  });
  return spans().find((s) => s.spanContext().spanId === root.spanContext().spanId)!;
}
async function metric(name: string) {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? [];
}

describe('smart-flows-rx/otel with the OpenTelemetry SDK', () => {
  it('gives a run one span under the caller\'s, its HTTP spans under it, and makes it the active span of its requests', async () => {
    const server = flowServer({ steps: 2 });
    const activeInFetch: (string | undefined)[] = [];
    const client = fastClient((url, init) => {
      activeInFetch.push(trace.getActiveSpan()?.spanContext().spanId);
      return server.fetch(url, init);
    });
    const root = await underRoot(() => lastValueFrom(client.run(FLOW, '<a/>')));
    const [run] = named('smart-flows run');
    expect(run!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(run!.attributes).toEqual({
      'smart_flows.kind': 'run', 'smart_flows.tracking': 'polling', 'smart_flows.flow.id': FLOW,
      'smart_flows.execution.id': '6de9206a-de42-4182-8f86-000000000001', 'smart_flows.execution.status': 'Success',
    });
    expect(childrenOf(run!).map((s) => s.name)).toEqual([
      'POST /flows/executions', 'GET /flows/executions/{id}/progress', 'GET /flows/executions/{id}/progress', 'GET /flows/executions/{id}',
    ]);
    // An HTTP instrumentation (undici, fetch) would see the run's span as the active one.
    expect(new Set(activeInFetch)).toEqual(new Set([run!.spanContext().spanId]));
  });

  it('starts a run subscribed when another ends (one after the other) under the caller\'s span, not under the one that ended', async () => {
    const client = fastClient(flowServer({ steps: 2 }).fetch);
    const root = await underRoot(() => lastValueFrom(concat(client.run(FLOW), client.run(FLOW), client.run(FLOW))));
    const runs = named('smart-flows run');
    expect(runs).toHaveLength(3);
    expect(runs.map((s) => s.parentSpanContext?.spanId)).toEqual(Array(3).fill(root.spanContext().spanId));
  });

  it('marks a failed run\'s span as an error, with error.type and the final status', async () => {
    await underRoot(() => lastValueFrom(fastClient(flowServer({ steps: 1, outcome: 'Error' }).fetch).run(FLOW)));
    const [run] = named('smart-flows run');
    expect(run!.status).toEqual({ code: 2, message: expect.stringContaining('Error') });
    expect(run!.attributes).toMatchObject({ 'error.type': FlowExecutionError.name, 'smart_flows.execution.status': 'Error' });
  });

  it('shows a retried request as two attempts (the second with http.request.resend_count) and a retry event, and counts it', async () => {
    const before = (await metric('smart_flows.retries')).reduce((n, p) => n + (p.value as number), 0);
    await underRoot(() => lastValueFrom(fastClient(flowServer({ steps: 1, faults: { '/progress': [503] } }).fetch).run(FLOW)));
    const [run] = named('smart-flows run');
    const polls = childrenOf(run!).filter((s) => s.name === 'GET /flows/executions/{id}/progress');
    expect(polls.map((s) => [s.attributes['http.response.status_code'], s.attributes['http.request.resend_count'], s.attributes['error.type']])).toEqual([
      [503, undefined, 'SmartFlowsHttpError'],
      [200, 1, undefined],
    ]);
    expect(run!.events.map((e) => [e.name, e.attributes?.['smart_flows.retry.attempt'], e.attributes?.['smart_flows.retry.retry_after_ms']])).toEqual([['smart_flows.retry', 1, 0]]);
    const after = (await metric('smart_flows.retries')).reduce((n, p) => n + (p.value as number), 0);
    expect(after - before).toBe(1);
  });

  it('gives each job of a batch its span (with its key) under the caller\'s, each with its own requests', async () => {
    // Three jobs, two at a time: the third starts when one ends, yet not under that one's span.
    const root = await underRoot(() =>
      lastValueFrom(fastClient(flowServer({ steps: 2 }).fetch).runBatch(['inv-1', 'inv-2', 'inv-3'].map((key) => ({ flowId: FLOW, key })), { concurrency: 2 })),
    );
    const jobs = named('smart-flows batch');
    expect(jobs.map((s) => s.attributes['smart_flows.job.key']).sort()).toEqual(['inv-1', 'inv-2', 'inv-3']);
    for (const job of jobs) {
      expect(job.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(childrenOf(job).map((s) => s.name)).toEqual(['POST /flows/executions', 'GET /flows/executions/{id}/progress', 'GET /flows/executions/{id}/progress', 'GET /flows/executions/{id}']);
    }
    expect(named('smart-flows run')).toEqual([]);
  });

  it('links a resumed batch job\'s span to the span of its start, through the journal\'s starting record', async () => {
    const journal = memoryJournal();
    const client = fastClient(flowServer({ steps: 1000 }).fetch);
    await underRoot(async () => {
      const sub = client.runBatch([{ flowId: FLOW, key: 'inv-9' }], { journal }).subscribe();
      // Left once the job has started: a crash, as far as the journal knows.
      await new Promise<void>((resolve) => {
        const on = (m: unknown) => {
          if ((m as { record?: string }).record !== 'started') return;
          unsubscribe(DIAGNOSTICS_CHANNELS.journal, on);
          resolve();
        };
        subscribe(DIAGNOSTICS_CHANNELS.journal, on);
      });
      sub.unsubscribe();
    });
    const [first] = named('smart-flows batch');
    expect(first!.attributes['smart_flows.unsubscribed']).toBe(true);
    const { traceId, spanId } = first!.spanContext();
    expect(journal.records.find((r) => r.type === 'starting')).toMatchObject({ traceparent: `00-${traceId}-${spanId}-01` });
    exporter.reset();
    await underRoot(() => lastValueFrom(fastClient(flowServer({ steps: 1 }).fetch).runBatch([{ flowId: FLOW, key: 'inv-9' }], { journal: memoryJournal(journal.records) })));
    const [resumed] = named('smart-flows batch');
    expect(resumed!.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[traceId, spanId]]);
    expect(resumed!.attributes['smart_flows.execution.status']).toBe('Success');
  });

  it('gives a BullMQ job its span (watch and requests under it), keeps its traceparent in the job data, and links a job handed out again to it', async () => {
    const client = fastClient(flowServer({ steps: 2 }).fetch);
    const { job } = fakeJob({ flowId: FLOW, key: 'inv-7' });
    await underRoot(() => flowProcessor(client)(job));
    const [first] = named('smart-flows job');
    expect(first!.attributes).toMatchObject({ 'smart_flows.job.key': 'inv-7', 'smart_flows.execution.status': 'Success' });
    expect(childrenOf(first!).map((s) => s.name)).toEqual(['POST /flows/executions', 'smart-flows watch']);
    const { traceId, spanId } = first!.spanContext();
    expect(job.data.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    exporter.reset();
    // The same job handed out again (a stalled job): its data has startingAt, executionId and traceparent.
    await underRoot(() => flowProcessor(client)(fakeJob({ ...job.data }).job));
    const [again] = named('smart-flows job');
    expect(again!.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[traceId, spanId]]);
  });

  it('keeps the metrics: no execution left active, durations recorded, requests counted by route template and outcome', async () => {
    await underRoot(() => lastValueFrom(fastClient(flowServer({ steps: 2 }).fetch).run(FLOW).pipe(toArray())));
    const active = await metric('smart_flows.executions.active');
    expect(active.every((p) => p.value === 0)).toBe(true);
    const durations = await metric('smart_flows.execution.duration');
    expect(durations.some((p) => p.attributes['smart_flows.kind'] === 'run' && p.attributes['smart_flows.execution.status'] === 'Success')).toBe(true);
    const requests = await metric('smart_flows.requests');
    const keys = requests.map((p) => `${p.attributes['http.request.method']} ${p.attributes['url.template']} ${p.attributes['smart_flows.outcome']}`);
    expect(keys).toEqual(expect.arrayContaining(['POST /flows/executions ok', 'GET /flows/executions/{id}/progress ok', 'GET /flows/executions/{id}/progress error']));
    expect(keys.some((k) => /[0-9a-f]{8}-/.test(k))).toBe(false);
  });
});
