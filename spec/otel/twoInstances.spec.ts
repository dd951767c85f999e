import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { context, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { lastValueFrom } from 'rxjs';
import { instrumentSmartFlows } from '../../lib/otel/index';
import { loadEngine } from '../helpers/marbles';
import { fastClient, FLOW, flowServer } from '../diagnostics/support';

// Outside attack (third) on issue 27: two `instrumentSmartFlows()` in one process (two
// libraries, a test and the app). Each binds the context manager's store on the run channel;
// disposing one must leave the other's binding: its run's span stays the active one in the
// run's requests (what an HTTP instrumentation nests under). The real SDK, in-memory exporters.

/** One instance with its own tracer provider and exporter. */
function instance() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracerProvider, stop: instrumentSmartFlows({ tracerProvider }) };
}
const rootTracer = new BasicTracerProvider().getTracer('spec');

/** Runs one flow under a root span; gives the root's id and the active span id seen by each request. */
async function runUnderRoot(): Promise<{ rootId: string; activeInFetch: (string | undefined)[] }> {
  const server = flowServer({ steps: 2 });
  const activeInFetch: (string | undefined)[] = [];
  const client = fastClient((url, init) => {
    activeInFetch.push(trace.getActiveSpan()?.spanContext().spanId);
    return server.fetch(url, init);
  });
  let root!: Span;
  await rootTracer.startActiveSpan('test', async (span) => {
    root = span;
    await lastValueFrom(client.run(FLOW, '<a/>'));
    span.end();
  });
  return { rootId: root.spanContext().spanId, activeInFetch };
}
const runSpans = (exporter: InMemorySpanExporter): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === 'smart-flows run');

beforeAll(async () => {
  await loadEngine();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('two instrumentSmartFlows() in one process', () => {
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;
  beforeEach(() => {
    a = instance();
    b = instance();
  });

  it('disposing the first leaves the second\'s run span active in its requests, under the caller\'s span', async () => {
    a.stop();
    const { rootId, activeInFetch } = await runUnderRoot();
    b.stop();
    expect(runSpans(a.exporter)).toHaveLength(0);
    const [run] = runSpans(b.exporter);
    expect(run!.parentSpanContext?.spanId).toBe(rootId);
    expect(new Set(activeInFetch)).toEqual(new Set([run!.spanContext().spanId]));
  });

  it('disposing the second gives the first its binding back; disposing both leaves the caller\'s span active', async () => {
    b.stop();
    const first = await runUnderRoot();
    const [aRun] = runSpans(a.exporter);
    expect(new Set(first.activeInFetch)).toEqual(new Set([aRun!.spanContext().spanId]));
    a.stop();
    const after = await runUnderRoot();
    expect(new Set(after.activeInFetch)).toEqual(new Set([after.rootId]));
  });
});

describe('any number of instances, stopped in any order (model)', () => {
  // After each stop (a stop called twice too), the requests' active span is the run span of the
  // latest live instance, or the caller's when none is left.
  test.prop([fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.nat({ max: n - 1 }), { minLength: 1, maxLength: 6 })))], { numRuns: 15 })(
    'the active span in a run\'s requests is the latest live instance\'s run span',
    async ([n, stops]) => {
      const all = Array.from({ length: n }, instance);
      const live = all.map(() => true);
      try {
        for (const i of stops) {
          all[i]!.stop();
          live[i] = false;
          all.forEach((x) => x.exporter.reset());
          const { rootId, activeInFetch } = await runUnderRoot();
          const latest = live.lastIndexOf(true);
          const expected = latest === -1 ? rootId : runSpans(all[latest]!.exporter)[0]?.spanContext().spanId;
          expect(new Set(activeInFetch)).toEqual(new Set([expected]));
        }
      } finally {
        all.forEach((x) => x.stop());
      }
    },
  );
});
