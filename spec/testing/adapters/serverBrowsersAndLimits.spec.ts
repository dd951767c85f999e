import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { builtInFlows, startSimulatorServer, type SimulatorServer } from 'smart-flows-rx/testing';

// Issue 24, item 14, over the wire: the simulator's HTTP server is offered to apps under
// `ng serve` (another origin), so it answers CORS preflights and lets a page read the headers
// the client reads; and it caps request bodies while they stream, as a real server does (413).

const ORIGIN = 'http://localhost:4200';
const MiB = 1024 * 1024;
let server: SimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const lower = (list: string | null) => (list ?? '').split(',').map((s) => s.trim().toLowerCase());

/** POSTs `totalBytes` in 1 MiB chunks (one buffer reused: the sender's memory stays flat) as fast as the socket takes them. */
function upload(url: string, totalBytes: number, headers: Record<string, string>) {
  return new Promise<{ status?: number; body: string; bytesWritten: number; error?: string }>((resolve) => {
    const chunk = Buffer.alloc(MiB, 0x41);
    const result: { status?: number; body: string; bytesWritten: number; error?: string } = { body: '', bytesWritten: 0 };
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/xml' } });
    req.on('response', (res) => {
      result.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (text: string) => (result.body += text));
      res.on('error', () => undefined);
    });
    req.on('error', (error: NodeJS.ErrnoException) => (result.error = error.code ?? error.message));
    req.on('close', () => resolve({ ...result, bytesWritten: req.socket?.bytesWritten ?? result.bytesWritten }));
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes && !req.destroyed) {
        const part = sent + chunk.length <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent);
        sent += part.length;
        result.bytesWritten = req.socket?.bytesWritten ?? 0;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('startSimulatorServer for a page of another origin', () => {
  it('answers a CORS preflight of a POST with X-API-Key and Content-Type: 204, the methods and headers the client sends allowed', async () => {
    server = await startSimulatorServer();
    const res = await fetch(`${server.url}/api/v1/flows/executions?flowId=${builtInFlows.short.id}`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(lower(res.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post', 'delete']));
    expect(lower(res.headers.get('access-control-allow-headers'))).toEqual(expect.arrayContaining(['x-api-key', 'authorization', 'content-type', 'accept']));
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(server.simulator.requests).toHaveLength(0); // the browser's question, not an API call
  });

  it('lets the page read Content-Disposition and Retry-After: every answer allows the origin and exposes them', async () => {
    server = await startSimulatorServer({ faults: { rate503: 1, retryAfterSeconds: 2 }, seed: 1 });
    const res = await fetch(`${server.url}/api/v1/flows/executions/6de9206a-de42-4182-8f86-a9a8d29fbd56/progress`, {
      headers: { Origin: ORIGIN, 'X-API-Key': server.apiKey },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(lower(res.headers.get('access-control-expose-headers'))).toEqual(expect.arrayContaining(['content-disposition', 'retry-after']));
  });
});

describe('startSimulatorServer request bodies', () => {
  it('answers 413 to a body one byte past maxRequestBytes, and serves one at the limit', async () => {
    server = await startSimulatorServer({ maxRequestBytes: 1_000 });
    const url = `${server.url}/api/v1/flows/executions?flowId=${builtInFlows.short.id}`;
    const headers = { 'X-API-Key': server.apiKey, 'Content-Type': 'application/xml' };
    const atLimit = await fetch(url, { method: 'POST', headers, body: `<a>${'x'.repeat(1_000 - 7)}</a>` });
    expect(atLimit.status).toBe(200);
    const past = await upload(url, 1_001, { 'X-API-Key': server.apiKey });
    expect(past.status).toBe(413);
    expect(JSON.parse(past.body)).toMatchObject({ status: 413, error: 'Payload Too Large', message: expect.stringContaining('1000 bytes') });
    expect(server.simulator.stats.executionsStarted).toBe(1);
  });

  it('refuses at once a Content-Length past the limit, before reading the body', async () => {
    server = await startSimulatorServer();
    const url = `${server.url}/api/v1/flows/executions?flowId=${builtInFlows.short.id}`;
    const res = await fetch(url, { method: 'POST', headers: { 'X-API-Key': server.apiKey, 'Content-Type': 'application/xml' }, body: Buffer.alloc(10 * MiB + 1, 0x41) });
    expect(res.status).toBe(413);
    expect(server.simulator.requests).toHaveLength(0);
  });

  it('stops reading a chunked body past 10 MiB (the default) and drops the connection: 64 MiB sent, the socket took far less', async () => {
    server = await startSimulatorServer();
    const url = `${server.url}/api/v1/flows/executions?flowId=${builtInFlows.short.id}`;
    const before = process.memoryUsage().rss;
    const result = await upload(url, 64 * MiB, { 'X-API-Key': server.apiKey, 'Transfer-Encoding': 'chunked' });
    const grownMiB = (process.memoryUsage().rss - before) / MiB;
    // The server reads 10 MiB, then stops; only what loopback buffers hold gets past that.
    expect(result.bytesWritten).toBeLessThan(40 * MiB);
    expect(result.status === 413 || result.error !== undefined).toBe(true);
    expect(grownMiB).toBeLessThan(48);
    expect(server.simulator.requests).toHaveLength(0);
  });
});
