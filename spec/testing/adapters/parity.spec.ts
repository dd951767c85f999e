import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { setupServer } from 'msw/node';
import {
  SIMULATOR_API_KEY, builtInFlows, createSimulator, createSimulatorHandlers, createVirtualClock,
  startSimulatorServer, type SimulatorServer, type VirtualClock,
} from 'smart-flows-rx/testing';

// The same script of requests against msw and the real server: both adapters must answer
// byte for byte the same (same seed and virtual clock, so ids and times match too).
const BASE = 'https://flows.parity.test';
const mswClock = createVirtualClock();
const mswSimulator = createSimulator({ clock: mswClock, seed: 99 });
const msw = setupServer(...createSimulatorHandlers(mswSimulator, { baseUrl: BASE }));
const serverClock = createVirtualClock();
let server: SimulatorServer;

beforeAll(async () => {
  // Requests to the real server are not msw's business: let them through.
  msw.listen({ onUnhandledRequest: 'bypass' });
  server = await startSimulatorServer({ clock: serverClock, seed: 99 });
});
afterAll(async () => {
  msw.close();
  await server.close();
});

interface Step {
  method: string;
  path: (ids: Record<string, string>) => string;
  headers?: Record<string, string>;
  body?: string;
  /** Name under which to remember `json.id` (or a document id picked by `pick`). */
  save?: string;
  pick?: (json: any) => string;
  advanceMs?: number;
}

const key = { 'X-API-Key': SIMULATOR_API_KEY };
const xml = { ...key, 'Content-Type': 'application/xml' };
const STEPS: Step[] = [
  { method: 'POST', path: () => `/flows/executions?flowId=${builtInFlows.short.id}`, headers: xml, body: '<Letter/>', save: 'short' },
  { method: 'POST', path: () => `/flows/executions?flowId=${builtInFlows.short.id}`, headers: xml, body: '<a><b></a>' },
  { method: 'POST', path: () => `/flows/executions?flowId=${builtInFlows.short.id}`, headers: { ...key, 'Content-Type': 'application/json' }, body: '{}' },
  { method: 'POST', path: () => `/flows/executions/start?flowId=${builtInFlows.userInput.id}`, headers: key, save: 'input' },
  { method: 'GET', path: (ids) => `/flows/executions/${ids.short}/progress`, headers: key, advanceMs: 250 },
  { method: 'GET', path: (ids) => `/flows/executions/${ids.short}/progress`, headers: {} },
  { method: 'GET', path: () => '/flows/executions/not-a-guid', headers: key },
  { method: 'PUT', path: (ids) => `/flows/executions/${ids.short}`, headers: key },
  { method: 'GET', path: (ids) => `/flows/executions/${ids.short}`, headers: key, advanceMs: 1_000 },
  { method: 'GET', path: (ids) => `/flows/executions/${ids.short}/progress`, headers: key, save: 'doc', pick: (j) => j.model['block-3f2a'].outputDocument.id },
  { method: 'GET', path: (ids) => `/documents/${ids.doc}`, headers: key },
  { method: 'GET', path: (ids) => `/documents/${ids.doc}/content`, headers: key },
  { method: 'GET', path: (ids) => `/documents/content/${ids.doc}`, headers: key },
  { method: 'DELETE', path: (ids) => `/flows/executions/${ids.input}/progress`, headers: key },
  { method: 'GET', path: () => '/flows/executions?size=1&sort=createdAt,asc', headers: key },
  { method: 'GET', path: () => `/flows/${builtInFlows.short.id}/executions`, headers: key },
  { method: 'POST', path: () => '/authenticate/login', headers: { 'Content-Type': 'application/json' }, body: '{"username":"demo","password":"demo"}' },
  { method: 'POST', path: () => '/authenticate/login', headers: { 'Content-Type': 'application/json' }, body: '{"username":"demo","password":"no"}' },
];

async function runScript(origin: string, clock: VirtualClock) {
  const ids: Record<string, string> = {};
  const answers: unknown[] = [];
  for (const step of STEPS) {
    if (step.advanceMs) clock.advance(step.advanceMs);
    const res = await fetch(`${origin}/api/v1${step.path(ids)}`, { method: step.method, headers: step.headers, body: step.body });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    if (step.save) ids[step.save] = step.pick ? step.pick(JSON.parse(text)) : JSON.parse(text).id;
    const pickHeaders = ['content-type', 'content-disposition', 'allow', 'www-authenticate', 'retry-after'];
    answers.push({
      step: `${step.method} ${step.path(ids)}`,
      status: res.status,
      headers: Object.fromEntries(pickHeaders.map((h) => [h, res.headers.get(h)])),
      text,
    });
  }
  return answers;
}

describe('msw handlers and the HTTP server', () => {
  it('answer the same script identically', async () => {
    const viaMsw = await runScript(BASE, mswClock);
    const viaServer = await runScript(server.url, serverClock);
    expect(viaServer).toEqual(viaMsw);
    expect(viaMsw.map((a: any) => a.status)).toEqual([200, 400, 415, 200, 200, 401, 400, 405, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]);
  });
});
