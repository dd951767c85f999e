import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { until } from '../../helpers/until';
import { setupServer } from 'msw/node';
import {
  SIMULATOR_API_KEY, builtInFlows, createSimulator, createSimulatorHandlers, createVirtualClock,
} from 'smart-flows-rx/testing';

const BASE = 'https://flows.example.test:8443';
const clock = createVirtualClock();
const simulator = createSimulator({ clock, seed: 21 });
const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: BASE }));
const headers = { 'X-API-Key': SIMULATOR_API_KEY };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => simulator.setFaults(undefined));
afterAll(() => server.close());

async function start(flowId: string = builtInFlows.short.id): Promise<string> {
  const res = await fetch(`${BASE}/api/v1/flows/executions?flowId=${flowId}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/xml; charset="utf-8"' },
    body: '<Letter/>',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe('createSimulatorHandlers (msw)', () => {
  it('runs a flow end to end over fetch: start, poll, execution, document', async () => {
    const id = await start();
    const progress = await fetch(`${BASE}/api/v1/flows/executions/${id}/progress`, { headers });
    expect(progress.headers.get('content-type')).toBe('application/json');
    expect(await progress.json()).toMatchObject({ id, status: 'Running', percentage: 0 });

    clock.advance(1_000);
    const execution = (await (await fetch(`${BASE}/api/v1/flows/executions/${id}`, { headers })).json()) as any;
    expect(execution.status).toBe('Success');
    const ref = execution.state.output.parts[0].model['block-3f2a'].outputDocument;

    const content = await fetch(`${BASE}/api/v1/documents/content/${ref.id}`, { headers });
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('application/pdf');
    expect(content.headers.get('content-disposition')).toContain('Letter.pdf');
    expect(new TextDecoder().decode(await content.arrayBuffer()).startsWith('%PDF')).toBe(true);
  });

  it('answers errors with their status and JSON body', async () => {
    const res = await fetch(`${BASE}/api/v1/flows/executions/not-a-guid`, { headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, error: 'Bad Request' });
    expect((await fetch(`${BASE}/api/v1/flows/executions`)).status).toBe(401);
  });

  it('turns a reset fault into a network error', async () => {
    const id = await start();
    simulator.setFaults({ rateReset: 1 });
    await expect(fetch(`${BASE}/api/v1/flows/executions/${id}/progress`, { headers })).rejects.toThrow(TypeError);
  });

  it('holds a long poll on the virtual clock', async () => {
    const id = await start(builtInFlows.long.id);
    const pending = fetch(`${BASE}/api/v1/flows/executions/${id}/progress?timeout=30`, { headers });
    await until(() => expect(simulator.stats.openLongPolls).toBe(1));
    clock.advance(1_000);
    expect(await (await pending).json()).toMatchObject({ message: 'Collect figures' });
  });

  it('ends a held long poll when the fetch is aborted', async () => {
    const id = await start(builtInFlows.long.id);
    const before = simulator.stats.abortedRequests;
    const controller = new AbortController();
    const pending = fetch(`${BASE}/api/v1/flows/executions/${id}/progress?timeout=30`, { headers, signal: controller.signal });
    await until(() => expect(simulator.stats.openLongPolls).toBe(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => expect(simulator.stats.openLongPolls).toBe(0));
    expect(simulator.stats.abortedRequests).toBe(before + 1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('streams a slow body in two parts', async () => {
    const id = await start();
    simulator.setFaults({ slowBodyMs: 500 });
    const res = await fetch(`${BASE}/api/v1/flows/executions/${id}/progress`, { headers });
    const text = res.text();
    await clock.advanceAsync(500);
    expect(JSON.parse(await text)).toMatchObject({ id });
  });

  it('listens on any origin when no baseUrl is given', async () => {
    server.use(...createSimulatorHandlers(simulator));
    const res = await fetch('http://elsewhere.test/api/v1/flows/executions?size=1', { headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ size: 1 });
    server.resetHandlers();
  });
});
