// The `signal` option over a real socket, against the simulator's HTTP server: abort before the
// start, during it, while a long poll is held, and after the end. Each checks what reached the
// server (nothing after the abort), the error, and that no socket or timer is left.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { filter, firstValueFrom, lastValueFrom, take } from 'rxjs';
import { type FetchLike, findDocuments, isSmartFlowsAbortError, type SmartFlowsAbortError } from 'smart-flows-rx';
import { builtInFlows, type FlowScript, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { activeResources, type ResourceCounts, settledExcess } from '../reliability/support/handles';
import { fast, wireClient } from '../helpers/wireApi';
import { until } from '../helpers/until';

// Holds in one stage for a minute: polled (or held) until the client leaves.
const stuck: FlowScript = { ...builtInFlows.short, id: '5e5e0000-0000-4000-8000-000000000001', stages: [{ message: 'thinking', durationMs: 60_000, percentage: 10 }] };
const quick = fast(builtInFlows.short);

let sim: SimulatorServer;
let before: ResourceCounts;
beforeAll(async () => {
  before = activeResources();
  sim = await startSimulatorServer({ seed: 7, flows: [stuck, quick] });
});
afterAll(async () => {
  await sim.close();
  // No socket or timer outlives the aborted streams.
  expect(await settledExcess(before)).toEqual({});
});

const START = /\/flows\/executions(\/start)?$/;

/** A fetch whose answers to requests matching `path` are held (the request has reached the server and been answered) until `release()`; it honours the request's signal. */
function heldAnswers(path = START) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let heldSent = 0;
  const fetch: FetchLike = async (url, init) => {
    const response = await globalThis.fetch(url, init);
    if ((path === START && init?.method !== 'POST') || !path.test(new URL(String(url)).pathname)) return response;
    heldSent++;
    const signal = init?.signal;
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      void gate.then(resolve);
    }).catch(async (error: unknown) => {
      await response.body?.cancel();
      throw error;
    });
    return response;
  };
  return { fetch, release: () => release(), sent: () => heldSent };
}

/** The stream's error (it must error). */
async function errorOf(promise: Promise<unknown>): Promise<SmartFlowsAbortError> {
  try {
    await promise;
  } catch (error) {
    return error as SmartFlowsAbortError;
  }
  throw new Error('the stream did not error');
}

/** The execution's status as the server holds it (the simulator's truth, not a client's view). */
async function serverStatus(executionId: string): Promise<string> {
  const res = await sim.simulator.handle({ method: 'GET', url: `/api/v1/flows/executions/${executionId}?model=truth`, headers: { 'x-api-key': sim.apiKey } });
  return (JSON.parse(String(res.body)) as { status: string }).status;
}
const startsAnswered = () => sim.simulator.requests.filter((r) => r.route === 'start').length;

describe('signal over the wire', () => {
  it('before the start: an aborted signal sends nothing', async () => {
    const requests = sim.simulator.stats.requests;
    const client = wireClient(sim);
    const reason = new Error('closed');
    const error = await errorOf(lastValueFrom(client.run(stuck.id, '<A/>', { signal: AbortSignal.abort(reason) })));
    expect(isSmartFlowsAbortError(error)).toBe(true);
    expect(error.cause).toBe(reason);
    await errorOf(lastValueFrom(client.runBatch([{ flowId: stuck.id }], { signal: AbortSignal.abort() })));
    await errorOf(lastValueFrom(client.startExecution(stuck.id, '<A/>', { signal: AbortSignal.abort() })));
    expect(sim.simulator.stats.requests).toBe(requests);
  });

  it('during the start: the POST reached the server, the error says an execution may exist, nothing is sent after', async () => {
    const held = heldAnswers();
    const client = wireClient(sim, { fetch: held.fetch });
    const controller = new AbortController();
    const known = startsAnswered();
    const done = errorOf(lastValueFrom(client.run(stuck.id, '<A/>', { signal: controller.signal })));
    await until(() => expect([held.sent(), startsAnswered()]).toEqual([1, known + 1]));
    const requests = sim.simulator.stats.requests;
    controller.abort(new Error('user left'));
    const error = await done;
    expect(error).toMatchObject({ name: 'AbortError', executionMayExist: true });
    expect(error.executionId).toBeUndefined();
    held.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.simulator.stats.requests).toBe(requests);
  });

  it('during the start, with cancelOnUnsubscribe: the answer is awaited and what it made is canceled', async () => {
    const held = heldAnswers();
    const client = wireClient(sim, { fetch: held.fetch });
    const controller = new AbortController();
    const done = errorOf(lastValueFrom(client.run(stuck.id, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true })));
    await until(() => expect(held.sent()).toBe(1));
    const cancels = sim.simulator.stats.byRoute.cancel ?? 0;
    controller.abort();
    expect(await done).toMatchObject({ name: 'AbortError', executionMayExist: true });
    held.release();
    await until(() => expect(sim.simulator.stats.byRoute.cancel ?? 0).toBe(cancels + 1));
  });

  it('while a long poll is held: the connection closes, the error carries the executionId, no request after', async () => {
    const { openLongPolls, abortedRequests } = sim.simulator.stats;
    const client = wireClient(sim, { polling: { waitSeconds: 30, intervalMs: 1, maxIntervalMs: 5 } });
    const controller = new AbortController();
    const events$ = client.run(stuck.id, '<A/>', { signal: controller.signal });
    const done = errorOf(lastValueFrom(events$));
    await until(() => expect(sim.simulator.stats.openLongPolls).toBe(openLongPolls + 1));
    const requests = sim.simulator.stats.requests;
    controller.abort();
    const error = await done;
    expect(error.name).toBe('AbortError');
    expect(error.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((error.cause as DOMException).name).toBe('AbortError');
    await until(() => expect(sim.simulator.stats.abortedRequests).toBe(abortedRequests + 1));
    expect(sim.simulator.stats.openLongPolls).toBe(openLongPolls);
    expect(sim.simulator.stats.requests).toBe(requests);
    // The execution goes on (no cancelOnUnsubscribe): it can be watched again.
    const again = await firstValueFrom(client.watch(error.executionId!).pipe(take(1)));
    expect(again.progress.status).toBe('Running');
  });

  it('while polling, with cancelOnUnsubscribe: the execution is canceled on the server', async () => {
    const client = wireClient(sim);
    const controller = new AbortController();
    const events$ = client.run(stuck.id, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true });
    let executionId: string | undefined;
    const done = errorOf(lastValueFrom(events$.pipe(filter((e) => (executionId = e.executionId) !== undefined))));
    await until(() => expect(executionId).toBeDefined());
    controller.abort();
    expect((await done).executionId).toBe(executionId);
    await until(async () => expect(await serverStatus(executionId!)).toMatch(/cancel/i));
  });

  it('after the end: the run resolved, the abort sends nothing', async () => {
    const client = wireClient(sim);
    const controller = new AbortController();
    const last = await lastValueFrom(client.run(quick.id, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true }));
    expect(last.type).toBe('output');
    const requests = sim.simulator.stats.requests;
    controller.abort();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.simulator.stats.requests).toBe(requests);
  });

  it('a download: an abort while the answer is on its way aborts the request; an aborted signal sends nothing', async () => {
    const output = await lastValueFrom(wireClient(sim).run(quick.id, '<A/>'));
    const [ref] = findDocuments(output.type === 'output' ? output.execution : output.progress);
    const held = heldAnswers(/\/documents\/(content\/)?[0-9a-f-]+(\/content)?$/);
    const client = wireClient(sim, { fetch: held.fetch });
    const controller = new AbortController();
    const done = errorOf(lastValueFrom(client.downloadDocument(ref!.id, { signal: controller.signal })));
    await until(() => expect(held.sent()).toBe(1));
    const requests = sim.simulator.stats.requests;
    controller.abort();
    expect(await done).toMatchObject({ name: 'AbortError' });
    held.release();
    expect(await errorOf(lastValueFrom(client.downloadDocument(ref!.id, { signal: AbortSignal.abort() })))).toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.simulator.stats.requests).toBe(requests);
  });
});
