// The outside review's attacks on executionResource / injectExecution / injectBatch (issue 26), in a
// zoneless TestBed against the simulator: what they found (A2, A7, A14, A16–A19) and what held.
import { signal } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { type FlowExecution, SmartFlowsClient } from 'smart-flows-rx';
import { type ExecutionResourceRef, executionResource, injectBatch, injectExecution } from 'smart-flows-rx/angular';
import { builtInFlows } from 'smart-flows-rx/testing';
import { describe, expect, it } from '@jest/globals';
import { useSimulatorTestBed } from '../testing/simulator-testbed';
import { waitFor } from '../testing/wait-for';

const flows = builtInFlows;
const sim = useSimulatorTestBed(26);
const quietMs = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));
const resourceOf = (request: Parameters<typeof executionResource>[0], debugName?: string): ExecutionResourceRef =>
  TestBed.runInInjectionContext(() => executionResource(request, { debugName }));
const requestsFor = (executionId: string) => sim.server.simulator.requests.filter((r) => r.path.includes(executionId)).length;
const started = () => sim.server.simulator.stats.executionsStarted;

describe('attack: executionResource', () => {
  it('reload() while the start is in flight is false and starts nothing', async () => {
    const before = started();
    const ref = resourceOf({ flowId: flows.short.id, input: '<Letter/>' });
    TestBed.tick();
    expect(ref.status()).toBe('loading');
    expect(ref.reload()).toBe(false);
    expect(ref.reload()).toBe(false);
    await waitFor(() => expect(ref.status()).toBe('resolved'));
    expect(started() - before).toBe(1);
  });

  it('a new request then reload() in the same turn: reload() is false and the new run never shows the previous output', async () => {
    const flowId = signal<string>(flows.short.id);
    const ref = resourceOf(() => ({ flowId: flowId(), input: '<Letter/>' }));
    await waitFor(() => expect(ref.status()).toBe('resolved'));
    const first = ref.value()!;
    const before = started();
    // e.g. a click handler: pick another flow and "refresh"
    flowId.set(flows.long.id);
    const reloaded = ref.reload();
    TestBed.tick();
    const seen = { reloaded, status: ref.status(), valueId: ref.hasValue() ? ref.value()!.id : undefined, firstId: first.id };
    console.info(`A2 after flowId.set(long) + reload(): ${JSON.stringify({ ...seen, executionStatus: ref.executionStatus() })}`);
    // Angular's resource(): new params reset the reload counter; the previous value is never shown for the new params.
    expect(seen.valueId).toBeUndefined();
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    expect(started() - before).toBe(1);
  });

  it('cancel() then reload(): one new start, the cancelled execution no longer polled', async () => {
    const ref = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    const id = ref.executionId()!;
    await ref.cancel();
    await waitFor(() => expect(ref.status()).toBe('error'));
    const before = started();
    expect(ref.reload()).toBe(true);
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    expect(ref.executionId()).not.toBe(id);
    expect(started() - before).toBe(1);
    const polls = requestsFor(id);
    await quietMs();
    expect(requestsFor(id)).toBe(polls);
    ref.destroy();
  });

  it('submitUserInput() on a finished run rejects without the API key and leaves the state', async () => {
    const ref = resourceOf({ flowId: flows.short.id, input: '<Letter/>' });
    await waitFor(() => expect(ref.status()).toBe('resolved'));
    const failure = await ref.submitUserInput({ Approve: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const text = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack}`;
    expect(text).not.toContain(sim.server.apiKey);
    expect(ref.status()).toBe('resolved');
  });

  it('destroy() mid-poll or while the start is in flight: no request afterwards', async () => {
    const ref = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    TestBed.tick();
    ref.destroy(); // POST on its way
    const a = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    await waitFor(() => expect(a.executionStatus()).toBe('Running'));
    const id = a.executionId()!;
    a.destroy();
    const n = requestsFor(id);
    const total = sim.server.simulator.requests.length;
    await quietMs(600);
    expect(requestsFor(id)).toBe(n);
    expect(sim.server.simulator.requests.length).toBe(total);
  });

  it('requests flipping across ticks: the last one followed; A→B→A in one turn starts nothing', async () => {
    const flowId = signal<string>(flows.long.id);
    const before = started();
    const ref = resourceOf(() => ({ flowId: flowId(), input: '<Report/>' }));
    for (const f of [flows.short.id, flows.long.id, flows.short.id, flows.long.id]) {
      TestBed.tick();
      flowId.set(f);
    }
    TestBed.tick();
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    // With the same value set in the same turn: A→B→A is no new start.
    const mid = started();
    flowId.set(flows.short.id);
    flowId.set(flows.long.id);
    TestBed.tick();
    await quietMs(300);
    expect(started()).toBe(mid);
    expect(ref.executionStatus()).toBe('Running');
    console.info(`A6: ${started() - before} starts for 5 requests`);
    ref.destroy();
  });

  it("reload() from error: value() throws like rxResource's (an Error whose cause is error()), then 'reloading' with the error kept, as rxResource over the same stream", async () => {
    const client = TestBed.inject(SmartFlowsClient);
    const ours = resourceOf({ flowId: flows.error.id, input: '<Letter/>' });
    const theirs = TestBed.runInInjectionContext(() => rxResource({ params: () => flows.error.id, stream: ({ params }) => client.run(params, '<Letter/>') }));
    await waitFor(() => {
      expect(ours.status()).toBe('error');
      expect(theirs.status()).toBe('error');
    });
    let oursThrown: unknown;
    let theirsThrown: unknown;
    try { ours.value(); } catch (e) { oursThrown = e; }
    try { theirs.value(); } catch (e) { theirsThrown = e; }
    console.info('A7 value() throws:', (oursThrown as Error)?.constructor?.name, 'vs', (theirsThrown as Error)?.constructor?.name, (theirsThrown as Error)?.message);
    // The same shape as Angular's (its message names its own execution, the cause is the error).
    const prefix = 'Resource is currently in an error state (see Error.cause for details): ';
    expect((theirsThrown as Error).message).toBe(prefix + theirs.error()!.message);
    expect([(oursThrown as Error).name, (oursThrown as Error).message, (oursThrown as Error).cause]).toEqual(['ResourceValueError', prefix + ours.error()!.message, ours.error()]);
    expect([ours.reload(), theirs.reload()]).toEqual([true, true]);
    TestBed.tick();
    const after = { ours: [ours.status(), ours.error() !== undefined], theirs: [theirs.status(), theirs.error() !== undefined] };
    console.info('A7 after reload from error:', JSON.stringify(after));
    expect(after.ours).toEqual(after.theirs);
    expect([ours.value(), ours.hasValue()]).toEqual([theirs.value(), theirs.hasValue()]);
    await waitFor(() => expect([ours.status(), theirs.status()]).toEqual(['error', 'error']));
  });

  it('a second resource watching the first one\'s id starts nothing and resolves to the same output', async () => {
    const a = resourceOf({ flowId: flows.short.id, input: '<Letter/>' });
    await waitFor(() => expect(a.executionId()).toBeDefined());
    const before = started();
    const b = resourceOf({ executionId: a.executionId()! });
    await waitFor(() => expect([a.status(), b.status()]).toEqual(['resolved', 'resolved']));
    expect(b.value()!.id).toBe(a.value()!.id);
    expect(started()).toBe(before);
  });

  it('debugName names the signals (status, value, error, isLoading)', () => {
    const ref = resourceOf(null, 'letter');
    const nameOf = (s: unknown) => (s as Record<symbol, { debugName?: string }>)[Object.getOwnPropertySymbols(s as object).find((x) => String(x).includes('SIGNAL'))!]?.debugName;
    console.info('A9 debug names:', nameOf(ref.status), nameOf(ref.value), nameOf(ref.error), nameOf(ref.isLoading));
    expect(ref.debugName).toBe('letter');
    expect(nameOf(ref.status)).toContain('letter');
  });

  it('asReadonly() reads the same status', () => {
    const ref = resourceOf(null);
    const ro = ref.asReadonly() as unknown as Record<string, unknown>;
    console.info('A10 asReadonly() === ref:', (ro as unknown) === (ref as unknown), 'has set:', typeof ro['set']);
    // Angular's own BaseWritableResource.asReadonly() returns `this` (with set) too: only check it reads the same.
    expect((ro['status'] as () => string)()).toBe(ref.status());
  });

  it('injectExecution over a Warning flow: hasValue(), value() and resource.status() resolved', async () => {
    const ref = TestBed.runInInjectionContext(() => injectExecution({ flowId: flows.warning.id, input: '<Letter/>' }));
    await waitFor(() => expect(ref.status()).toBe('Warning'));
    await waitFor(() => expect(ref.hasValue()).toBe(true));
    expect((ref.value() as FlowExecution).status).toBe('Warning');
    expect(ref.resource.status()).toBe('resolved');
  });

  it('injectBatch: reload() while active is false, one start per job', async () => {
    const before = started();
    const batch = TestBed.runInInjectionContext(() =>
      injectBatch([{ key: 'a', flowId: flows.long.id, input: '<Report/>' }, { key: 'b', flowId: flows.long.id, input: '<Report/>' }], { concurrency: 2 }),
    );
    TestBed.tick();
    expect(batch.reload()).toBe(false);
    await waitFor(() => expect(batch.items().filter((i) => i.executionId).length).toBe(2));
    expect(started() - before).toBe(2);
  });
});

describe('attack: params change and cancelOnUnsubscribe', () => {
  it('a new request while the first start is in flight, with cancelOnUnsubscribe: the first execution ends Canceled', async () => {
    const flowId = signal<string>(flows.long.id);
    const input = signal('<First/>');
    const mark = sim.server.simulator.requests.length;
    const stats0 = JSON.stringify(sim.server.simulator.stats);
    const ref = resourceOf(() => ({ flowId: flowId(), input: input(), cancelOnUnsubscribe: true }));
    TestBed.tick();
    input.set('<Second/>');
    TestBed.tick();
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    const client = TestBed.inject(SmartFlowsClient);
    await quietMs(800);
    const recent = sim.server.simulator.requests.slice(mark);
    const list = recent.filter((r) => r.method === 'POST' && !r.path.includes('cancel'));
    console.info('A13 posts:', list.map((r) => r.path).join(' | '));
    const ids = [...new Set(recent.map((r) => /executions\/([0-9a-f-]{36})/.exec(r.path)?.[1]).filter(Boolean))] as string[];
    const others = ids.filter((id) => id !== ref.executionId());
    const statuses = await Promise.all(others.map((id) => firstValueFrom(client.getProgress(id)).then((p) => p.status, () => 'gone')));
    console.info('A13 other executions:', statuses.join(','), '\nstats before', stats0, '\nstats after', JSON.stringify(sim.server.simulator.stats));
    expect(others.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'Canceled')).toBe(true);
    ref.destroy();
  });
});

describe('attack: failures then reload()', () => {
  it('a start answered with an unreadable body (executionMayExist): reload() is false and starts nothing', async () => {
    const before = started();
    sim.server.simulator.setFaults({ rateMalformedJson: 1, routes: ['start'] });
    const ref = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    try {
      await waitFor(() => expect(ref.status()).toBe('error'));
    } finally {
      sim.server.simulator.setFaults(undefined);
    }
    const err = ref.error() as Error;
    const posts = sim.server.simulator.requests.filter((r) => r.method === 'POST').length;
    console.info(`A14 error: ${err.name}: ${err.message} (executionId ${(err as { executionId?: string }).executionId}); starts so far ${started() - before}`);
    expect((err as { executionMayExist?: boolean }).executionMayExist).toBe(true);
    // The execution may exist without its id: reload() never starts the flow a second time.
    expect(ref.reload()).toBe(false);
    TestBed.tick();
    expect([ref.status(), ref.error()]).toEqual(['error', err]);
    expect(sim.server.simulator.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    ref.destroy();
  });

  it('polls failing until the run times out: reload() watches the same execution again, no new start', async () => {
    const ref = resourceOf({ flowId: flows.long.id, input: '<Report/>', timeoutMs: 3000 });
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    const id = ref.executionId()!;
    sim.server.simulator.setFaults({ rateReset: 1, routes: ['progress'] });
    try {
      await waitFor(() => expect(ref.status()).toBe('error'), 15_000);
    } finally {
      sim.server.simulator.setFaults(undefined);
    }
    const err = ref.error() as Error;
    console.info(`A15 error: ${err.name}: ${err.message}`);
    expect(err.message).not.toContain(sim.server.apiKey);
    const before = started();
    expect(ref.reload()).toBe(true);
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    expect(ref.executionId()).toBe(id);
    expect(started()).toBe(before);
    ref.destroy();
  }, 30_000);
});

describe('attack: a start whose answer is lost after the server made the execution', () => {
  it('a start that timed out with executionMayExist: reload() and retry() refuse, no second execution', async () => {
    const { EnvironmentInjector, Injector } = await import('@angular/core');
    const client = new SmartFlowsClient({ baseUrl: sim.server.url, apiKey: sim.server.apiKey, requestTimeoutMs: 300, polling: { intervalMs: 20, maxIntervalMs: 100, idleIntervalMs: 100 } });
    const injector = Injector.create({ providers: [{ provide: SmartFlowsClient, useValue: client }], parent: TestBed.inject(EnvironmentInjector) });
    const before = started();
    sim.server.simulator.setFaults({ slowBodyMs: 2000, routes: ['start'] });
    const ref = executionResource({ flowId: flows.long.id, input: '<Report/>' }, { injector });
    const ex = injectExecution({ flowId: flows.long.id, input: '<Report/>' }, { injector });
    try {
      await waitFor(() => expect([ref.status(), ex.error() !== undefined]).toEqual(['error', true]));
    } finally {
      sim.server.simulator.setFaults(undefined);
    }
    const err = ref.error() as Error & { executionMayExist?: boolean };
    console.info(`A16 error: ${err.name}: ${err.message}; executionMayExist=${err.executionMayExist}; executions on the server so far: ${started() - before}`);
    expect(err.executionMayExist).toBe(true);
    const posts = sim.server.simulator.requests.filter((r) => r.method === 'POST').length;
    const reloaded = ref.reload();
    ex.retry();
    expect(ex.reload()).toBe(false);
    TestBed.tick();
    console.info(`A16 reload() returned ${reloaded}; executions started for two requests after reload/retry: ${started() - before}`);
    // Both stay in error (a restart would be 'loading' / active at once) and no start was sent.
    expect([reloaded, ref.status(), ex.isActive(), ex.error() !== undefined]).toEqual([false, 'error', false, true]);
    expect(sim.server.simulator.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    expect(started() - before).toBe(2);
    ref.destroy();
  }, 30_000);
});

describe('attack: actions after destroy()', () => {
  it('cancel() after destroy() still reaches the execution (destroy keeps executionId)', async () => {
    const ref = resourceOf({ flowId: flows.long.id, input: '<Report/>' });
    await waitFor(() => expect(ref.executionStatus()).toBe('Running'));
    const id = ref.executionId()!;
    ref.destroy();
    const failure = await ref.cancel().then(() => undefined, (e: unknown) => e as Error);
    console.info(`A17 cancel() after destroy(): ${failure?.name}: ${failure?.message}; execution ${id} left running`);
    expect(failure).toBeUndefined();
    expect(ref.status()).toBe('idle');
    const client = TestBed.inject(SmartFlowsClient);
    expect((await firstValueFrom(client.getProgress(id))).status).toBe('Canceled');
  });
});

describe('attack: reload() before the first effect', () => {
  it('reload() in idle, before the first effect, is false; one start', async () => {
    const before = started();
    const ref = resourceOf({ flowId: flows.short.id, input: '<Letter/>' });
    const status = ref.status();
    const reloaded = ref.reload();
    TestBed.tick();
    await waitFor(() => expect(ref.status()).toBe('resolved'));
    console.info(`A18 status before the first effect: ${status}; reload() returned ${reloaded}; starts: ${started() - before}`);
    expect(started() - before).toBe(1);
    expect(reloaded).toBe(false);
  });
});

describe('attack: a request function that throws', () => {
  it('a request function that throws gives status error with the error in error(), as Angular 22\'s resource does; then runs once it returns', async () => {
    const { resource, ErrorHandler, VERSION } = await import('@angular/core');
    // Angular 20's own resource() lets a throwing params function throw (from the signals and the tick): compared on 22 only.
    const compare = Number(VERSION.major) >= 22;
    const handled: unknown[] = [];
    TestBed.overrideProvider(ErrorHandler, { useValue: { handleError: (e: unknown) => handled.push(e) } });
    const bad = signal(true);
    const request = () => {
      if (bad()) throw new Error('no customer yet');
      return { flowId: flows.short.id, input: '<Letter/>' };
    };
    const ours = resourceOf(request);
    const theirs = compare ? TestBed.runInInjectionContext(() => resource({ params: () => { if (bad()) throw new Error('no customer yet'); return 1; }, loader: async () => 1 })) : undefined;
    let tickError: unknown;
    try { TestBed.tick(); } catch (e) { tickError = e; }
    const read = (f: () => unknown) => { try { return f(); } catch (e) { return `throws ${(e as Error).message}`; } };
    const seen = { ours: [read(() => ours.status()), read(() => ours.error()?.message)], theirs: theirs && [read(() => theirs.status()), read(() => theirs.error()?.message)], handled: handled.length, tickThrew: (tickError as Error | undefined)?.message };
    console.info(`A19 ${JSON.stringify(seen)}`);
    bad.set(false);
    try { TestBed.tick(); } catch (e) { console.info(`A19 second tick threw: ${(e as Error).message}`); }
    await waitFor(() => expect(ours.status()).toBe('resolved'));
    expect(seen.ours).toEqual(['error', 'no customer yet']);
    if (compare) expect(seen.theirs).toEqual(seen.ours);
    expect(seen.tickThrew).toBeUndefined();
  });
});
