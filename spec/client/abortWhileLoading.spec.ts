import { beforeAll, describe, expect, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { fc, it, test } from '@fast-check/jest';
import { type Observable, VirtualTimeScheduler } from 'rxjs';
import type { FetchLike } from '../../lib/options';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';

// A caller's abort (its `signal`) or unsubscription while the client's lazily loaded parts load
// (a browser fetching the engine chunk, slowly or never): the stream ends at once, as documented
// for an abort (docs/promises.md: `SmartFlowsAbortError`, nothing sent), not when the load ends.
// The library here is one fresh copy whose engine, tracker and documents parts load only when
// the test says (each scenario gets new, unloaded parts): what a browser app meets on its first
// call. (The parts' modules themselves are the real ones, imported up front by the test.)

type ClientModule = typeof import('../../lib/client');
type LazyModuleFn = typeof import('../../lib/internal/lazyModule').lazyModule;
type WithModuleOf<M> = ReturnType<LazyModuleFn> & ((use: (m: M) => Observable<unknown>) => Observable<unknown>);

/** The load every part waits on: opened (the chunk arrives) or failed (it never does) by the test. */
interface Gate {
  open(): void;
  fail(): void;
  /** How many parts began to load. */
  loads: number;
}

let library: ClientModule;
let parts: { engine: unknown; tracker: unknown; documents: unknown };
let lazyModule: LazyModuleFn;
/** The parts the library's facade goes through now (replaced for each scenario). */
const current: Record<'engine' | 'tracker' | 'documents', WithModuleOf<unknown> | undefined> = { engine: undefined, tracker: undefined, documents: undefined };

/** A part that goes through `current[name]`: the facade imports it once, each scenario swaps what is behind. */
function delegate(name: keyof typeof current) {
  const withPart = (...args: unknown[]) => (current[name] as unknown as (...a: unknown[]) => Observable<unknown>)(...args);
  return Object.defineProperty(withPart, 'loaded', { get: () => current[name]?.loaded });
}

beforeAll(async () => {
  await jest.isolateModulesAsync(async () => {
    jest.doMock('../../lib/internal/loadEngine', () => ({ withEngine: delegate('engine') }));
    jest.doMock('../../lib/internal/loadParts', () => ({
      ...jest.requireActual<object>('../../lib/internal/loadParts'),
      withTracker: delegate('tracker'),
      withDocuments: delegate('documents'),
    }));
    library = await import('../../lib/client');
    ({ lazyModule } = await import('../../lib/internal/lazyModule'));
    parts = {
      engine: await import('../../lib/internal/enginePart'),
      tracker: await import('../../lib/internal/trackerPart'),
      documents: await import('../../lib/internal/documentsPart'),
    };
  });
});

/** New, unloaded parts for one scenario, all held by one gate. */
function holdParts(): Gate {
  let release!: { resolve: () => void; reject: (e: unknown) => void };
  const held = new Promise<void>((resolve, reject) => (release = { resolve, reject }));
  // (A failed gate no part waited on, a signal aborted before subscription: not the test's failure.)
  held.catch(() => undefined);
  const gate: Gate = {
    open: () => release.resolve(),
    fail: () => release.reject(new TypeError('Failed to fetch dynamically imported module')),
    loads: 0,
  };
  for (const name of ['engine', 'tracker', 'documents'] as const) {
    current[name] = lazyModule(name, () => {
      gate.loads++;
      return held.then(() => parts[name]);
    }) as WithModuleOf<unknown>;
  }
  return gate;
}

/** A fetch that never answers (a request stays in flight until its signal aborts it), and what it was asked. */
function hangingFetch() {
  const requests: { method: string; url: string; signal?: AbortSignal | null }[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    requests.push({ method: init.method ?? 'GET', url, signal: init.signal });
    return new Promise<Response>((_resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')), { once: true });
    });
  };
  return { fetch, requests };
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

type Entry = 'run' | 'watch' | 'runBatch' | 'startExecution' | 'downloadDocument';
const DOC_ID = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';

interface Scenario {
  entry: Entry;
  tracking: 'polling' | 'listing';
  /** When the caller leaves: before subscribing (a signal already aborted), while the parts load, or after they loaded. */
  leaveAt: 'before' | 'during' | 'after';
  leaveBy: 'abort' | 'unsubscribe';
  load: 'ok' | 'fails';
}

/** Subscribes one entry with the signal and records how it ends. */
function subscribeEntry(client: InstanceType<ClientModule['SmartFlowsClient']>, scenario: Scenario, signal: AbortSignal) {
  const seen: { values: number; error?: unknown; complete: boolean } = { values: 0, complete: false };
  const options = { signal, tracking: scenario.tracking };
  const call$: Observable<unknown> =
    scenario.entry === 'run'
      ? client.run(FLOW_ID, '<A/>', options)
      : scenario.entry === 'watch'
        ? client.watch(EXEC_ID, options)
        : scenario.entry === 'runBatch'
          ? client.runBatch([{ flowId: FLOW_ID, input: '<A/>' }], options)
          : scenario.entry === 'startExecution'
            ? client.startExecution(FLOW_ID, '<A/>', { signal })
            : client.downloadDocument(DOC_ID, { signal });
  const subscription = call$.subscribe({ next: () => void seen.values++, error: (e: unknown) => (seen.error = e), complete: () => (seen.complete = true) });
  return { seen, subscription };
}

/** Runs one scenario and checks it against the documented outcome. */
async function check(scenario: Scenario): Promise<void> {
  const gate = holdParts();
  const { fetch, requests } = hangingFetch();
  const scheduler = new VirtualTimeScheduler();
  const client = new library.SmartFlowsClient({ baseUrl: 'https://flows.example.test', apiKey: 'k', fetch, scheduler });
  const controller = new AbortController();
  const reason = new Error('the caller left');
  const settleLoad = () => (scenario.load === 'ok' ? gate.open() : gate.fail());
  const leave = () => (scenario.leaveBy === 'abort' ? controller.abort(reason) : subscription.unsubscribe());

  if (scenario.leaveAt === 'before' && scenario.leaveBy === 'abort') controller.abort(reason);
  const { seen, subscription } = subscribeEntry(client, scenario, controller.signal);
  if (scenario.leaveAt === 'before' && scenario.leaveBy === 'unsubscribe') subscription.unsubscribe();
  if (scenario.leaveAt === 'during') leave();
  // Left before the parts loaded: it has ended (or, unsubscribed, stopped) at once, with nothing sent.
  if (scenario.leaveAt !== 'after') {
    if (scenario.leaveBy === 'abort') {
      expect(seen.error).toMatchObject({ name: 'AbortError', cause: reason });
      // Nothing was sent: no execution may exist; a watch names the one it was given.
      const error = seen.error as { executionId?: string; executionMayExist?: boolean };
      expect(error.executionMayExist).toBeUndefined();
      expect(error.executionId).toBe(scenario.entry === 'watch' ? EXEC_ID : undefined);
    } else {
      expect(seen.error).toBeUndefined();
    }
    // A signal aborted before subscription does not even load the parts.
    if (scenario.leaveAt === 'before' && scenario.leaveBy === 'abort') expect(gate.loads).toBe(0);
    settleLoad();
    await settled();
    expect(requests).toEqual([]);
  } else {
    settleLoad();
    await settled();
    if (scenario.load === 'fails') {
      // The failed load is the stream's error; nothing was sent, and the abort after it changes nothing.
      expect(seen.error).toMatchObject({ name: 'SmartFlowsError', message: expect.stringMatching(/^smart-flows-rx could not load its (engine|tracker|documents) part$/) });
      expect(requests).toEqual([]);
      leave();
    } else {
      // Loaded: the entry sent its first request, which hangs; the abort then ends it as before this change.
      expect(seen.error).toBeUndefined();
      expect(requests.length).toBeGreaterThan(0);
      const sent = requests.length;
      leave();
      if (scenario.leaveBy === 'abort') {
        expect(seen.error).toMatchObject({ name: 'AbortError', cause: reason });
        if (scenario.entry === 'watch') expect(seen.error).toHaveProperty('executionId', EXEC_ID);
        // A start on its way may have reached the server.
        if (scenario.entry === 'run' || scenario.entry === 'startExecution') expect(seen.error).toHaveProperty('executionMayExist', true);
      } else {
        expect(seen.error).toBeUndefined();
      }
      await settled();
      scheduler.flush();
      await settled();
      // Nothing sent after the abort, and the request in flight was aborted.
      expect(requests).toHaveLength(sent);
      for (const r of requests) expect(r.signal?.aborted).toBe(true);
    }
  }
  expect(seen.values).toBe(0);
  expect(seen.complete).toBe(false);
  // Nothing left: no listener on the caller's signal, no timer of the client's.
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  expect(scheduler.actions).toHaveLength(0);
}

const ENTRIES: readonly Entry[] = ['run', 'watch', 'runBatch', 'startExecution', 'downloadDocument'];

describe('an abort while the engine loads (a fresh library: the chunk not loaded yet)', () => {
  // The defect the followers model found (seed 1): a run aborted at 0 ms ended only once the parts had loaded.
  it.each(ENTRIES)('%s: an abort while the engine loads ends the stream at once with the AbortError, nothing sent', async (entry) => {
    await check({ entry, tracking: 'polling', leaveAt: 'during', leaveBy: 'abort', load: 'ok' });
  });

  it.each(ENTRIES)('%s: a signal aborted before subscription errors at once, without loading the engine', async (entry) => {
    await check({ entry, tracking: 'polling', leaveAt: 'before', leaveBy: 'abort', load: 'ok' });
  });

  it('run tracked through the listing: an abort while the tracker loads ends it at once', async () => {
    await check({ entry: 'run', tracking: 'listing', leaveAt: 'during', leaveBy: 'abort', load: 'ok' });
  });

  it.each(ENTRIES)('%s: an unsubscription while the engine loads stops it, nothing sent once the engine arrives', async (entry) => {
    await check({ entry, tracking: 'polling', leaveAt: 'during', leaveBy: 'unsubscribe', load: 'ok' });
  });

  it.each(ENTRIES)('%s: an abort after the load ends the request in flight as before (unchanged)', async (entry) => {
    await check({ entry, tracking: 'polling', leaveAt: 'after', leaveBy: 'abort', load: 'ok' });
  });

  it('an abort while a chunk that never arrives (fails) loads: the AbortError at once, not the load failure', async () => {
    await check({ entry: 'run', tracking: 'polling', leaveAt: 'during', leaveBy: 'abort', load: 'fails' });
  });

  // Every abort time × load outcome × entry × how the caller leaves (× tracking for run and watch).
  test.prop(
    [
      fc.record({
        entry: fc.constantFrom(...ENTRIES),
        tracking: fc.constantFrom('polling' as const, 'listing' as const),
        leaveAt: fc.constantFrom('before' as const, 'during' as const, 'after' as const),
        leaveBy: fc.constantFrom('abort' as const, 'unsubscribe' as const),
        load: fc.constantFrom('ok' as const, 'fails' as const),
      }),
    ],
    { numRuns: 60 },
  )('model: whenever the caller leaves, the stream ends as documented, nothing sent after, nothing left', async (scenario) => {
    await check(scenario);
  });
});

// Attack 6, M4: `cancelOnUnsubscribe` asks for a cancel when the subscriber leaves (unsubscribes,
// or its signal aborts after subscription). A `watch` knows its execution from the start, so a
// leave while the engine loads must cancel as a leave after the load does: the engine loads, then
// one cancel goes, bounded in time as a loaded leave's (cancelWhenLeft: dropped after 5 s).
// A `run` left while loading has started nothing (no start was sent): it cancels nothing.
describe('cancelOnUnsubscribe: a subscriber that leaves while the engine loads', () => {
  const CANCEL = { method: 'DELETE', url: `https://flows.example.test/api/v1/flows/executions/${EXEC_ID}/progress` };
  const setup = () => {
    const gate = holdParts();
    const { fetch, requests } = hangingFetch();
    const scheduler = new VirtualTimeScheduler();
    const client = new library.SmartFlowsClient({ baseUrl: 'https://flows.example.test', apiKey: 'k', fetch, scheduler });
    const sent = () => requests.map(({ method, url }) => ({ method, url }));
    return { gate, requests, sent, scheduler, client };
  };

  it.each(['abort', 'unsubscribe'] as const)('watch left by %s while loading: once loaded, one cancel goes; a hanging cancel is dropped after 5 s', async (leaveBy) => {
    const { gate, requests, sent, scheduler, client } = setup();
    const controller = new AbortController();
    const errors: unknown[] = [];
    const subscription = client.watch(EXEC_ID, { cancelOnUnsubscribe: true, signal: controller.signal }).subscribe({ error: (e) => errors.push(e) });
    if (leaveBy === 'abort') controller.abort();
    else subscription.unsubscribe();
    // The abort still ends the stream at once (it does not wait for the load or the cancel).
    if (leaveBy === 'abort') expect(errors).toEqual([expect.objectContaining({ name: 'AbortError', executionId: EXEC_ID })]);
    else expect(errors).toEqual([]);
    expect(sent()).toEqual([]);
    gate.open();
    await settled();
    expect(sent()).toEqual([CANCEL]);
    // Bounded as a loaded leave's cancel: a server that never answers is let go after 5 s.
    expect(requests[0]!.signal?.aborted).toBe(false);
    scheduler.flush();
    expect(requests[0]!.signal?.aborted).toBe(true);
    expect(sent()).toEqual([CANCEL]);
    expect(scheduler.actions).toHaveLength(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('watch with a signal already aborted: nothing loaded, nothing sent (as after the load: nothing was subscribed)', async () => {
    const { gate, sent, scheduler, client } = setup();
    const errors: unknown[] = [];
    client.watch(EXEC_ID, { cancelOnUnsubscribe: true, signal: AbortSignal.abort() }).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([expect.objectContaining({ name: 'AbortError' })]);
    gate.open();
    await settled();
    scheduler.flush();
    expect(gate.loads).toBe(0);
    expect(sent()).toEqual([]);
  });

  it('watch left while a load that fails: nothing sent', async () => {
    const { gate, sent, scheduler, client } = setup();
    client.watch(EXEC_ID, { cancelOnUnsubscribe: true }).subscribe().unsubscribe();
    gate.fail();
    await settled();
    scheduler.flush();
    expect(sent()).toEqual([]);
  });

  it('watch: one subscriber of two leaves while loading, the other stays: no cancel; the last leave after the load sends it once', async () => {
    const { gate, sent, client } = setup();
    const first = client.watch(EXEC_ID, { cancelOnUnsubscribe: true }).subscribe();
    const second = client.watch(EXEC_ID, { cancelOnUnsubscribe: true }).subscribe();
    first.unsubscribe();
    gate.open();
    await settled();
    expect(sent().filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(sent().length).toBeGreaterThan(0);
    second.unsubscribe();
    expect(sent().filter((r) => r.method === 'DELETE')).toEqual([CANCEL]);
  });

  // (Each of them sends it: no loop ran to tell them apart. The second finds the execution canceled.)
  it('watch: two subscribers both leave while loading: the cancel goes, and nothing else', async () => {
    const { gate, sent, client } = setup();
    const controller = new AbortController();
    client.watch(EXEC_ID, { cancelOnUnsubscribe: true }).subscribe().unsubscribe();
    client.watch(EXEC_ID, { cancelOnUnsubscribe: true, signal: controller.signal }).subscribe({ error: () => undefined });
    controller.abort();
    gate.open();
    await settled();
    expect(sent()).toContainEqual(CANCEL);
    expect(sent().filter((r) => r.method !== 'DELETE' || r.url !== CANCEL.url)).toEqual([]);
  });

  it('watch without cancelOnUnsubscribe left while loading: nothing sent (unchanged)', async () => {
    const { gate, sent, client } = setup();
    client.watch(EXEC_ID).subscribe().unsubscribe();
    gate.open();
    await settled();
    expect(sent()).toEqual([]);
  });

  it.each(['abort', 'unsubscribe'] as const)('run left by %s while loading: no start was sent, so no cancel', async (leaveBy) => {
    const { gate, sent, scheduler, client } = setup();
    const controller = new AbortController();
    const subscription = client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true, signal: controller.signal }).subscribe({ error: () => undefined });
    if (leaveBy === 'abort') controller.abort();
    else subscription.unsubscribe();
    gate.open();
    await settled();
    scheduler.flush();
    expect(sent()).toEqual([]);
  });
});
