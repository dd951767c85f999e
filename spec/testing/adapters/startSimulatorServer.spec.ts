import { describe, it, expect, afterEach } from '@jest/globals';
import { until } from '../../helpers/until';
import {
  builtInFlows, createSimulator, createVirtualClock, startSimulatorServer, type FlowScript, type SimulatorServer,
} from 'smart-flows-rx/testing';

// A flow quick enough for real-time tests: stages of 50 ms.
const quick: FlowScript = {
  id: '7a000000-0000-4000-8000-000000000001',
  displayName: 'Quick',
  stages: [
    { message: 'One', percentage: 0, durationMs: 50 },
    { message: 'Two', percentage: 50, durationMs: 50 },
  ],
  outcome: 'Success',
  documents: [{ displayName: 'Quick.docx', contentType: 'application/octet-stream', bytes: new Uint8Array([0, 1, 2, 254, 255]) }],
};

let server: SimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(s: SimulatorServer, flowId = quick.id): Promise<string> {
  const res = await fetch(`${s.url}/api/v1/flows/executions?flowId=${flowId}`, {
    method: 'POST',
    headers: { 'X-API-Key': s.apiKey, 'Content-Type': 'text/xml' },
    body: '<Quick/>',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
const tcpHandles = () => count('TCPSocketWrap') + count('TCPServerWrap');

describe('startSimulatorServer', () => {
  it('listens on a free port of 127.0.0.1 and reports URL and API key', async () => {
    server = await startSimulatorServer({ flows: [quick] });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.apiKey).toBe('sim-api-key');
  });

  it('answers exactly as simulator.handle does', async () => {
    const clock = createVirtualClock();
    const simulator = createSimulator({ clock, seed: 4 });
    server = await startSimulatorServer({ simulator });
    const path = `/api/v1/flows/executions?flowId=${builtInFlows.short.id}`;
    const viaHttp = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'X-API-Key': server.apiKey, 'Content-Type': 'application/xml' }, body: '<a>' });
    const direct = await simulator.handle({ method: 'POST', url: path, headers: { 'x-api-key': server.apiKey, 'content-type': 'application/xml' }, body: '<a>' });
    expect(viaHttp.status).toBe(direct.status);
    expect(viaHttp.headers.get('content-type')).toBe(direct.headers['content-type']);
    expect(await viaHttp.text()).toBe(direct.body);
  });

  it('sends binary content with length, type and file name', async () => {
    server = await startSimulatorServer({ flows: [quick] });
    const id = await start(server);
    const headers = { 'X-API-Key': server.apiKey };
    const done = await fetch(`${server.url}/api/v1/flows/executions/${id}/progress?timeout=5`, { headers });
    await fetch(`${server.url}/api/v1/flows/executions/${id}/progress?timeout=5`, { headers });
    const after = (await (await fetch(`${server.url}/api/v1/flows/executions/${id}/progress?timeout=5`, { headers })).json()) as any;
    expect(done.status).toBe(200);
    expect(after.status).toBe('Success');
    const ref = after.model['block-1'].outputDocument;
    const content = await fetch(`${server.url}/api/v1/documents/${ref.id}/content`, { headers });
    expect(content.headers.get('content-length')).toBe('5');
    expect(content.headers.get('content-disposition')).toContain('filename="Quick.docx"');
    expect([...new Uint8Array(await content.arrayBuffer())]).toEqual([0, 1, 2, 254, 255]);
  });

  it('holds a long poll on the real clock until the stage changes', async () => {
    // Stages of 1 s: on a busy machine 50 ms ones may all be over before the first read.
    const slower: FlowScript = { ...quick, stages: quick.stages.map((stage) => ({ ...stage, durationMs: 1_000 })) };
    server = await startSimulatorServer({ flows: [slower] });
    const id = await start(server);
    const url = `${server.url}/api/v1/flows/executions/${id}/progress`;
    const headers = { 'X-API-Key': server.apiKey };
    // What the server shows now (on a busy machine the first stage may already be over).
    const before = (await (await fetch(`${url}?timeout=-1`, { headers })).json()) as { message: string };
    const startedMs = Date.now();
    const res = await fetch(`${url}?timeout=10`, { headers });
    const elapsedMs = Date.now() - startedMs;
    const held = (await res.json()) as { message: string };
    expect(held.message).not.toBe(before.message);
    expect(['Two', 'Flow finished']).toContain(held.message);
    expect(elapsedMs).toBeGreaterThan(0);
    expect(elapsedMs).toBeLessThan(3_000);
  });

  it('notices a client that hangs up on a long poll: timer cleared, counted as aborted', async () => {
    const clock = createVirtualClock();
    const simulator = createSimulator({ clock, flows: [quick] });
    server = await startSimulatorServer({ simulator });
    const id = await start(server);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/v1/flows/executions/${id}/progress?timeout=30`, {
      headers: { 'X-API-Key': server.apiKey },
      signal: controller.signal,
    });
    await until(() => expect(simulator.stats.openLongPolls).toBe(1));
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => expect(simulator.stats.abortedRequests).toBe(1));
    expect(simulator.stats.openLongPolls).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops the connection on a reset fault', async () => {
    server = await startSimulatorServer({ flows: [quick], seed: 1, faults: { rateReset: 1 } });
    const id = await start(server);
    // Node's fetch fails with a TypeError of Node's own realm, not the test's: matched by name.
    await expect(fetch(`${server.url}/api/v1/flows/executions/${id}/progress`, { headers: { 'X-API-Key': server.apiKey } })).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('sends a slow body in two parts, complete', async () => {
    server = await startSimulatorServer({ flows: [quick], seed: 1, faults: { slowBodyMs: 40 } });
    const id = await start(server);
    const startedMs = Date.now();
    const res = await fetch(`${server.url}/api/v1/flows/executions/${id}/progress`, { headers: { 'X-API-Key': server.apiKey } });
    expect(await res.json()).toMatchObject({ id });
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(30);
  });

  it('close() ends held requests and leaves no socket, server or timer behind', async () => {
    // Earlier tests' sockets finish closing first; then none is left in this worker.
    await until(() => expect(tcpHandles()).toBe(0));
    const timersBefore = count('Timeout');
    server = await startSimulatorServer({ flows: [{ ...quick, stages: [{ message: 'Slow', percentage: 0, durationMs: 60_000 }] }] });
    const id = await start(server);
    const held = fetch(`${server.url}/api/v1/flows/executions/${id}/progress?timeout=60`, { headers: { 'X-API-Key': server.apiKey } });
    await until(() => expect(server?.simulator.stats.openLongPolls).toBe(1));
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    await expect(held).rejects.toThrow();
    server = undefined;
    await until(() => expect(tcpHandles()).toBe(0));
    // The held poll's 60 s timer is gone (one other timer is tolerated, as before).
    expect(count('Timeout')).toBeLessThanOrEqual(timersBefore + 1);
  });

  it('leaves a shared simulator usable after close()', async () => {
    const simulator = createSimulator({ flows: [quick] });
    server = await startSimulatorServer({ simulator });
    await server.close();
    server = await startSimulatorServer({ simulator });
    await start(server);
    expect(simulator.stats.executionsStarted).toBe(1);
  });
});

describe('startSimulatorServer keepAliveTimeoutMs', () => {
  it('keeps an idle connection open that long (Node closes it after 5 s by default)', async () => {
    const s = await startSimulatorServer({ keepAliveTimeoutMs: 65_000 });
    try {
      const { Agent, request } = await import('node:http');
      const agent = new Agent({ keepAlive: true });
      const get = () =>
        new Promise<string | undefined>((resolve, reject) => {
          request(`${s.url}/api/v1/flows/executions`, { agent, headers: { 'X-API-Key': s.apiKey } }, (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.headers['keep-alive'])));
          }).on('error', reject).end();
        });
      expect(await get()).toBe('timeout=65');
      agent.destroy();
    } finally {
      await s.close();
    }
  });
});
