import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { lastValueFrom, of, toArray } from 'rxjs';
import { DIAGNOSTICS_CHANNELS, FlowExecutionError, memoryJournal, type RunTraceContext } from '../../lib/index';
import { traceRun } from '../../lib/diagnostics/traceRun';
import { loadEngine } from '../helpers/marbles';
import { holdsSecret, SECRET_API_KEY, SECRET_BEARER_TOKEN } from '../reliability/support/secrets';
import { fastClient, FLOW, flowServer, recordChannels } from './support';

const { run: RUN, request: REQUEST, retry: RETRY, progress: PROGRESS, journal: JOURNAL } = DIAGNOSTICS_CHANNELS;
let recorder: ReturnType<typeof recordChannels> | undefined;
afterEach(() => {
  recorder?.stop();
  recorder = undefined;
});
const record = () => (recorder = recordChannels());
beforeAll(loadEngine);

describe('diagnostics channels', () => {
  it('builds nothing when nobody listens: the run stream is returned as it is', () => {
    const events$ = of();
    expect(traceRun({ kind: 'run', flowId: FLOW }, events$)).toBe(events$);
  });

  it('traces a run from subscription to output, with its flow, execution and final status', async () => {
    const r = record();
    const server = flowServer({ steps: 2 });
    await lastValueFrom(fastClient(server.fetch).run(FLOW, '<a/>').pipe(toArray()));
    expect(r.of(RUN).length).toBe(4);
    expect(r.seen.filter((s) => s.channel === RUN).map((s) => s.phase)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(r.of(RUN, 'start')[0]).toEqual({ kind: 'run', flowId: FLOW, tracking: 'polling' });
    expect(r.of(RUN, 'asyncEnd')[0]).toEqual({ kind: 'run', flowId: FLOW, tracking: 'polling', executionId: '6de9206a-de42-4182-8f86-000000000001', status: 'Success' });
    expect(r.of(PROGRESS).map((m) => `${m.type} ${m.status} ${m.percentage}`)).toEqual(['progress Queued 0', 'progress Running 10', 'progress Success 100', 'output Success 100']);
  });

  it('ends a failed run with its error (error, then asyncStart and asyncEnd)', async () => {
    const r = record();
    const server = flowServer({ steps: 1, outcome: 'Error' });
    await expect(lastValueFrom(fastClient(server.fetch).run(FLOW))).rejects.toBeInstanceOf(FlowExecutionError);
    expect(r.seen.filter((s) => s.channel === RUN).map((s) => s.phase)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const end = r.of(RUN, 'asyncEnd')[0]!;
    expect(end.status).toBe('Error');
    expect(end.error).toBeInstanceOf(FlowExecutionError);
  });

  it('marks a run left before its end as unsubscribed', async () => {
    const r = record();
    const server = flowServer({ steps: 1000 });
    const sub = fastClient(server.fetch).watch('6de9206a-de42-4182-8f86-a9a8d29fbd56').subscribe();
    await new Promise<void>((resolve) => {
      const on = () => {
        unsubscribe(`tracing:${REQUEST}:asyncEnd`, on);
        resolve();
      };
      subscribe(`tracing:${REQUEST}:asyncEnd`, on);
    });
    sub.unsubscribe();
    expect(r.of(RUN, 'asyncEnd')).toEqual([expect.objectContaining({ kind: 'watch', unsubscribed: true, executionId: '6de9206a-de42-4182-8f86-a9a8d29fbd56' })]);
  });

  it('traces each HTTP attempt by route template (never the raw id), and each retry with its delay and Retry-After', async () => {
    const r = record();
    const server = flowServer({ steps: 1, faults: { '/progress': [503] } });
    await lastValueFrom(fastClient(server.fetch).run(FLOW).pipe(toArray()));
    const ends = r.of(REQUEST, 'asyncEnd').map((c) => `${c.method} ${c.route} #${c.attempt} ${c.status}${c.errorType ? ` ${c.errorType}` : ''}${c.aborted ? ' aborted' : ''}`);
    expect(ends).toEqual([
      'POST /flows/executions #1 200',
      'GET /flows/executions/{id}/progress #1 503 SmartFlowsHttpError',
      'GET /flows/executions/{id}/progress #2 200',
      'GET /flows/executions/{id} #1 200',
    ]);
    // waitSeconds 0 sends timeout=0, which servers may hold up to 1 s (progressTimeout.ts): the hold asked.
    expect(r.of(REQUEST, 'start')[1]).toEqual({ method: 'GET', route: '/flows/executions/{id}/progress', attempt: 1, holdSeconds: 1 });
    expect(r.of(RETRY)).toEqual([{ method: 'GET', route: '/flows/executions/{id}/progress', attempt: 1, delayMs: expect.any(Number), retryAfterMs: 0, errorType: 'SmartFlowsHttpError', status: 503 }]);
  });

  it('gives each poll request of a run the AsyncLocalStorage store bound at the run\'s start (two runs at once)', async () => {
    record();
    const als = new AsyncLocalStorage<RunTraceContext>();
    const runStart = tracingChannel<unknown, RunTraceContext>(RUN).start;
    runStart.bindStore(als, (context) => context);
    try {
      const server = flowServer({ steps: 4 });
      const seenAt: { path: string; store: RunTraceContext | undefined }[] = [];
      const fetch = (url: string, init?: RequestInit) => {
        seenAt.push({ path: new URL(url).pathname, store: als.getStore() });
        return server.fetch(url, init);
      };
      const client = fastClient(fetch);
      await Promise.all([lastValueFrom(client.run(FLOW)), lastValueFrom(client.run(FLOW))]);
      expect(seenAt.length).toBe(2 * (1 + 4 + 1));
      for (const { path, store } of seenAt) {
        expect(store).toBeDefined();
        // The store's execution is the request's (the start's answer names it for the start).
        if (path !== '/api/v1/flows/executions') expect(path).toContain(store!.executionId);
      }
      expect(new Set(seenAt.map((s) => s.store)).size).toBe(2);
    } finally {
      runStart.unbindStore(als);
    }
  });

  it("keeps the subscriber's own AsyncLocalStorage store for every request of its run", async () => {
    record();
    const als = new AsyncLocalStorage<string>();
    const server = flowServer({ steps: 3 });
    const stores: (string | undefined)[] = [];
    const client = fastClient((url, init) => {
      stores.push(als.getStore());
      return server.fetch(url, init);
    });
    await als.run('request-42', () => lastValueFrom(client.run(FLOW)));
    expect(stores).toEqual(Array(5).fill('request-42'));
  });

  it('gives each batch job one context (kind batch, its key), and none of run or watch inside it', async () => {
    const r = record();
    const server = flowServer({ steps: 2 });
    await lastValueFrom(fastClient(server.fetch).runBatch([{ flowId: FLOW, key: 'a' }, { flowId: FLOW, key: 'b' }], { concurrency: 2 }));
    expect(r.of(RUN, 'asyncEnd').map((c) => `${c.kind} ${c.key} ${c.status}`).sort()).toEqual(['batch a Success', 'batch b Success']);
    expect(r.of(RUN, 'start')).toHaveLength(2);
  });

  it('stores the traceparent a tracer gives in the journal\'s starting record, and a resumed job links to it', async () => {
    const r = record();
    const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const none = () => undefined;
    const tagger = { start: (c: RunTraceContext) => void (c.traceparent = TRACEPARENT), end: none, asyncStart: none, asyncEnd: none, error: none };
    tracingChannel<unknown, RunTraceContext>(RUN).subscribe(tagger);
    const journal = memoryJournal();
    try {
      // The first batch is left once its job has started (a crash, as far as the journal knows).
      const server = flowServer({ steps: 1000 });
      const client = fastClient(server.fetch);
      const sub = client.runBatch([{ flowId: FLOW, key: 'a' }], { journal }).subscribe();
      await new Promise<void>((resolve) => {
        const on = (m: unknown) => {
          if ((m as { record?: string }).record !== 'started') return;
          unsubscribe(JOURNAL, on);
          resolve();
        };
        subscribe(JOURNAL, on);
      });
      sub.unsubscribe();
    } finally {
      tracingChannel<unknown, RunTraceContext>(RUN).unsubscribe(tagger);
    }
    expect(journal.records.find((x) => x.type === 'starting')).toEqual(expect.objectContaining({ key: 'a', traceparent: TRACEPARENT }));
    const resumed = memoryJournal(journal.records);
    await lastValueFrom(fastClient(flowServer({ steps: 1 }).fetch).runBatch([{ flowId: FLOW, key: 'a' }], { journal: resumed }));
    expect(r.of(RUN, 'asyncEnd').at(-1)).toEqual(expect.objectContaining({ kind: 'batch', key: 'a', resumedFrom: TRACEPARENT, status: 'Success' }));
    expect(r.of(JOURNAL).filter((m) => m.type === 'opened').at(-1)).toEqual({ type: 'opened', resumed: 1, adopted: 0, restarted: 0, uncertain: 0 });
    expect(r.of(JOURNAL).map((m) => m.record).filter(Boolean)).toEqual(['planned', 'starting', 'started', 'ended']);
  });

  it('never publishes the API key, the token or the XML input (runs, failures, retries, batches)', async () => {
    const r = record();
    const INPUT = '<Invoice><Secret>XML-INPUT-7f3a9c2e</Secret></Invoice>';
    for (const credentials of [{ apiKey: SECRET_API_KEY }, { bearerToken: SECRET_BEARER_TOKEN }]) {
      for (const outcome of ['Success', 'Error']) {
        const server = flowServer({ steps: 2, outcome, faults: { '/progress': [503, 500] } });
        const client = fastClient(server.fetch, { apiKey: undefined, ...credentials });
        await lastValueFrom(client.run(FLOW, INPUT)).catch(() => undefined);
        await lastValueFrom(client.runBatch([{ flowId: FLOW, input: INPUT }], { journal: memoryJournal() })).catch(() => undefined);
      }
    }
    expect(r.seen.length).toBeGreaterThan(50);
    for (const s of r.seen) {
      const text = `${JSON.stringify(s.message)} ${inspect(s.context ?? s.message, { depth: Infinity, showHidden: true })}`;
      expect(holdsSecret(text)).toBe(false);
      expect(text).not.toContain('XML-INPUT-7f3a9c2e');
    }
  });
});
