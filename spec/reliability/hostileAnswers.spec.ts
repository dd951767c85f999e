import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom, tap } from 'rxjs';
import crossFetch from 'cross-fetch';
import {
  type ExecutionEvent,
  type FetchLike,
  SmartFlowsClient,
  type SmartFlowsClientOptions,
  SmartFlowsHttpError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from 'smart-flows-rx';
import { type HostileServer, startHostileServer, writeLarge } from './support/hostileServer';
import { activeResources, type ResourceCounts, settledExcess } from './support/handles';
import { scanForSecrets, SECRET_API_KEY } from './support/secrets';

const FLOW = '5f1a0000-0000-4000-8000-000000000001';
const EXEC = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const OTHER = '0b7e2c1d-1111-4222-8333-944455556666';
const MB = 1024 * 1024;
// Every stream here is bounded: a run that does not end within this is a hang.
// Limits that only end a run gone wrong; the tests of the timeouts set their own. On a loaded
// machine (two suites side by side on 2 cores) a start, or reading 10 MB, took past the 500 ms
// and 3 s these were, and the runs ended in SmartFlowsTimeoutError instead of what was tested.
const RUN_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

let server: HostileServer;
let other: HostileServer;
let before: ResourceCounts;
beforeAll(async () => {
  before = activeResources();
  server = await startHostileServer();
  other = await startHostileServer();
});
afterAll(async () => {
  await server.close();
  await other.close();
  // No socket or timer outlives the streams (the 50 MB answers included).
  expect(await settledExcess(before)).toEqual({});
  console.info(`[reliability] hostile answers:\n${outcomes.map(([c, o]) => `  - ${c} → ${o}`).join('\n')}`);
});

const outcomes: [string, string][] = [];

// The body is read differently from a Node stream (node-fetch, under cross-fetch, the default)
// and from a WHATWG stream (Node's global fetch, browsers): both are cut at the limit.
const FETCHES: [string, FetchLike][] = [
  ['cross-fetch', crossFetch as FetchLike],
  ['global fetch', globalThis.fetch as FetchLike],
];

function client(options: Partial<SmartFlowsClientOptions> = {}) {
  return new SmartFlowsClient({
    baseUrl: server.url,
    apiKey: SECRET_API_KEY,
    // No long poll: each progress call's limit stays requestTimeoutMs + 1 s (it asks timeout=1).
    polling: { intervalMs: 5, maxIntervalMs: 20, waitSeconds: 0 },
    retry: { maxRetries: 2, delayMs: 5, maxDelayMs: 20 },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...options,
  });
}

const json = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const progressBody = (status: string, percentage: number = 50, id = EXEC) => ({ id, status, percentage, message: `At ${percentage}` });
const executionBody = (status = 'Success') => ({ id: EXEC, status, flow: { id: FLOW }, state: { output: {} } });

type Route = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;

/** Serves start, progress (with its 1-based poll number) and execution; each may be overridden. */
function serve(routes: { start?: Route; progress?: Route; execution?: Route }) {
  let polls = 0;
  const counts = { start: 0, progress: 0, execution: 0 };
  server.use((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'POST' && path.startsWith('/api/v1/flows/executions?')) {
      counts.start++;
      return (routes.start ?? ((_q, r) => json(r, progressBody('Running', 0))))(req, res, counts.start);
    }
    if (path.split('?')[0]!.endsWith('/progress')) {
      counts.progress++;
      return (routes.progress ?? ((_q, r) => json(r, progressBody('Success', 100))))(req, res, ++polls);
    }
    counts.execution++;
    return (routes.execution ?? ((_q, r) => json(r, executionBody())))(req, res, counts.execution);
  });
  return counts;
}

/**
 * Runs one execution to its end (or, with `watch`, follows EXEC without a start: for a limit of
 * 100 ms that a start on a loaded machine would meet too); gives the events, the error (scanned
 * for secrets) and the time taken.
 */
async function runOnce(c = client(), timeoutMs = RUN_TIMEOUT_MS, how: 'run' | 'watch' = 'run') {
  const started = performance.now();
  const events: ExecutionEvent[] = [];
  let error: unknown;
  try {
    const stream = how === 'watch' ? c.watch(EXEC, { timeoutMs }) : c.run(FLOW, '<Letter/>', { timeoutMs });
    await lastValueFrom(stream.pipe(tap((e) => events.push(e))));
  } catch (e) {
    error = e;
    expect(scanForSecrets(e)).toEqual([]);
  }
  const ms = performance.now() - started;
  expect(ms).toBeLessThan(timeoutMs + 1_000);
  return { events, error, ms };
}

const describeError = (e: unknown) => {
  const x = e as { name: string; status?: number; executionId?: string; message: string };
  return `${x.name}${x.status ? ` ${x.status}` : ''}${x.executionId ? ' (with executionId)' : ''}: ${x.message.slice(0, 90)}`;
};

describe('hostile answers: each has a defined outcome, none crashes or hangs', () => {
  it('JSON labelled text/plain is read as JSON: the run succeeds', async () => {
    serve({ progress: (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(progressBody('Success', 100))) });
    const { events, error } = await runOnce();
    expect(error).toBeUndefined();
    expect(events.at(-1)?.type).toBe('output');
    outcomes.push(['wrong content type (JSON labelled text/plain)', 'read as JSON; the run goes on']);
  });

  it('an XML body where JSON is expected is retried, then SmartFlowsResponseError with the executionId', async () => {
    const counts = serve({ progress: (_q, r) => r.writeHead(200, { 'content-type': 'application/xml' }).end('<progress status="Running"/>') });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error).toMatchObject({ executionId: EXEC });
    expect(counts.progress).toBe(3); // first try + maxRetries (2)
    outcomes.push(['wrong content type (200 application/xml)', `retried, then ${describeError(error)}`]);
  });

  it('an HTML error page (502 text/html) is retried as a 5xx, then SmartFlowsHttpError with the page trimmed', async () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(500)}</body></html>`;
    const counts = serve({ progress: (_q, r) => r.writeHead(502, { 'content-type': 'text/html' }).end(page) });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 502, executionId: EXEC });
    expect((error as SmartFlowsHttpError).body.length).toBeLessThanOrEqual(1_000);
    expect(counts.progress).toBe(3);
    outcomes.push(['HTML error page (502)', `retried, then ${describeError(error)}; body trimmed to 1,000 characters`]);
  });

  it('a 200 HTML page (a proxy login page) is not JSON: SmartFlowsResponseError', async () => {
    serve({ progress: (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in to the proxy</body></html>') });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as Error).message).toMatch(/not JSON \(text\/html/);
    outcomes.push(['200 with an HTML page', `retried, then ${describeError(error)}`]);
  });

  it.each([
    ['an empty body', ''],
    ['plain text', 'OK'],
    ['JSON cut in the middle', '{"id":"6de9206a-de42-4182-8f86-a9a8d29fbd56","stat'],
  ])('a 200 with %s is not JSON: SmartFlowsResponseError', async (what, body) => {
    const counts = serve({ progress: (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(body) });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error).toMatchObject({ executionId: EXEC });
    outcomes.push([`200 non-JSON (${what})`, `${counts.progress > 1 ? `retried (${counts.progress} tries), then ` : ''}${describeError(error)}`]);
  });

  it.each([
    ['null', null],
    ['an array', [progressBody('Running')]],
    ['an object without status', { id: EXEC, percentage: 10 }],
    ['a status that is a number', { id: EXEC, status: 3 }],
  ])('JSON of the wrong shape (%s) is SmartFlowsResponseError with zod issues, not retried', async (what, body) => {
    const counts = serve({ progress: (_q, r) => json(r, body) });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as SmartFlowsResponseError).issues?.length).toBeGreaterThan(0);
    expect(counts.progress).toBe(1);
    outcomes.push([`JSON of the wrong shape (${what})`, `${describeError(error)} (zod issues attached, not retried)`]);
  });

  it('JSON nested 100,000 deep is parsed without a stack overflow and refused by the schema: SmartFlowsResponseError', async () => {
    const counts = serve({ progress: (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(100_000) + ']'.repeat(100_000)) });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(counts.progress).toBe(1);
    outcomes.push(['JSON nested 100,000 deep', `${describeError(error)} (not retried)`]);
  });

  it.each<[string, (deep: string) => { progress?: string; execution?: string }]>([
    ['an extra field of a progress answer', (deep) => ({ progress: `{"id":"${EXEC}","status":"Running","percentage":10,"message":"","extra":${deep}}` })],
    ['the model of the final progress', (deep) => ({ progress: `{"id":"${EXEC}","status":"Success","percentage":100,"message":"","model":{"b":${deep}}}` })],
    ['the state of the execution answer', (deep) => ({ execution: `{"id":"${EXEC}","status":"Success","state":{"output":${deep}}}` })],
  ])('JSON nested 200,000 deep inside %s is refused: SmartFlowsResponseError, not retried', async (what, place) => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const { progress, execution } = place(deep);
    const counts = serve({
      ...(progress ? { progress: (_q: IncomingMessage, r: ServerResponse) => r.writeHead(200, { 'content-type': 'application/json' }).end(progress) } : {}),
      ...(execution ? { execution: (_q: IncomingMessage, r: ServerResponse) => r.writeHead(200, { 'content-type': 'application/json' }).end(execution) } : {}),
    });
    const { events, error } = await runOnce();
    expect(events.filter((e) => e.type === 'output')).toEqual([]);
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as Error).message).toMatch(/nested deeper than 64/);
    expect(error).toMatchObject({ executionId: EXEC });
    expect(counts.progress + counts.execution).toBeLessThanOrEqual(2);
    outcomes.push([`JSON nested 200,000 deep inside ${what}`, `${describeError(error)} (not retried)`]);
  });

  it.each(FETCHES)('a 50 MB body with Content-Length is refused unread: SmartFlowsResponseError, not retried (%s)', async (fetchName, fetch) => {
    const counts = serve({
      progress: async (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * MB) });
        await writeLarge(r, 50 * MB, server.written);
      },
    });
    const { error, ms } = await runOnce(client({ fetch }));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as Error).message).toMatch(/too large/);
    expect(counts.progress).toBe(1);
    // The client let the connection go instead of leaving 46 MB unread on an open socket.
    expect(await server.cut()).toBe(true);
    outcomes.push([`50 MB body (Content-Length, ${fetchName})`, `${describeError(error)} in ${Math.round(ms)} ms, ${(server.written.bytes / MB).toFixed(1)} MB written before the client left`]);
  });

  it.each(FETCHES)('a 50 MB body without Content-Length (chunked) is cut at the 10 MB limit: SmartFlowsResponseError (%s)', async (fetchName, fetch) => {
    serve({
      progress: async (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        await writeLarge(r, 50 * MB, server.written);
      },
    });
    const { error, ms } = await runOnce(client({ fetch }));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as Error).message).toMatch(/too large/);
    // The client stops reading at the limit: the server could not push all 50 MB.
    expect(server.written.bytes).toBeLessThan(30 * MB);
    expect(await server.cut()).toBe(true);
    outcomes.push([`50 MB body (chunked, ${fetchName})`, `${describeError(error)} in ${Math.round(ms)} ms; reading stopped near 10 MB (${(server.written.bytes / MB).toFixed(1)} MB written)`]);
  });

  it('a 50 MB error page (500) ends as SmartFlowsHttpError with the body trimmed', async () => {
    serve({
      progress: async (_q, r) => {
        r.writeHead(500, { 'content-type': 'text/html' });
        await writeLarge(r, 50 * MB, server.written, 'x');
      },
    });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect((error as SmartFlowsHttpError).body.length).toBeLessThanOrEqual(1_000);
    outcomes.push(['50 MB error body (500)', `retried, then ${describeError(error)}; body not kept`]);
  });

  it('a progress object for another execution id is refused: SmartFlowsResponseError naming the other id', async () => {
    const counts = serve({ progress: (_q, r) => json(r, progressBody('Success', 100, OTHER)) });
    const { events, error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error).toMatchObject({ executionId: EXEC });
    expect((error as Error).message).toContain(OTHER);
    expect(events.every((e) => e.executionId === EXEC)).toBe(true);
    expect(counts.execution).toBe(0); // never fetched the other execution's output
    outcomes.push(['progress of another execution id', describeError(error)]);
  });

  it('a percentage out of range is clamped to 0–100 (numeric strings read, garbage as 0)', async () => {
    // In rising order: a follower's percentage never goes down (issue 24), so each clamp shows.
    const answers = [-20, 'abc', '55', 140, Number.MAX_VALUE];
    serve({
      progress: (_q, r, n) => json(r, n <= answers.length ? { id: EXEC, status: 'Running', percentage: answers[n - 1], message: `poll ${n}` } : progressBody('Success', 100)),
    });
    const { events, error } = await runOnce();
    expect(error).toBeUndefined();
    const seen = events.filter((e) => e.type === 'progress').map((e) => e.progress.percentage);
    expect(seen).toEqual([0, 0, 0, 55, 100, 100, 100]);
    outcomes.push(['percentage out of range (-20, "abc", "55", 140, 1.8e308)', `clamped: ${seen.slice(1, 6).join(', ')}; the run goes on`]);
  });

  it('a status that flips back to Running after Success is never seen: the stream ends at the first Success', async () => {
    const counts = serve({ progress: (_q, r, n) => json(r, n === 2 ? progressBody('Success', 100) : progressBody('Running', 50)) });
    const { events, error } = await runOnce();
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'output')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('output');
    expect(counts.progress).toBe(2); // no poll after Success
    outcomes.push(['status flips back after Success', 'the first Success ends the stream (one output event); no poll after it, so the flip is never seen']);
  });

  it('an unknown status is treated as running and the run ends at its timeoutMs with SmartFlowsTimeoutError', async () => {
    serve({ progress: (_q, r) => json(r, progressBody('Paused by operator', 50)) });
    const { error, ms, events } = await runOnce(client(), 300);
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error).toMatchObject({ executionId: EXEC, timeoutMs: 300 });
    expect(events.at(-1)?.type === 'progress' && events.at(-1)?.progress.status).toBe('Unknown');
    outcomes.push(['unknown status ("Paused by operator")', `status Unknown, polled as running; ${describeError(error)} after ${Math.round(ms)} ms`]);
  });

  it('a server that never answers ends each request at requestTimeoutMs: SmartFlowsTimeoutError', async () => {
    serve({ progress: () => undefined });
    // A progress call's limit is requestTimeoutMs plus the hold it asks (timeout=1: 1 s).
    const { error, ms } = await runOnce(client({ requestTimeoutMs: 100 }), RUN_TIMEOUT_MS, 'watch');
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error).toMatchObject({ executionId: EXEC, timeoutMs: 1_100 });
    outcomes.push(['no answer at all', `${describeError(error)} after ${Math.round(ms)} ms (3 tries of 100 ms + the 1 s hold each asks)`]);
  });

  it('a body that stalls halfway ends at requestTimeoutMs: SmartFlowsTimeoutError', async () => {
    serve({
      progress: (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        r.write('{"id":"6de9206a-de42-4182-8f86-a9a8d29fbd56",');
      },
    });
    const { error } = await runOnce(client({ requestTimeoutMs: 100 }), RUN_TIMEOUT_MS, 'watch');
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 1_100 });
    outcomes.push(['body stalls halfway', describeError(error)]);
  });

  it('a start answered with an id that is not a GUID is refused before any poll', async () => {
    const counts = serve({ start: (_q, r) => json(r, { id: '../../admin', status: 'Running', percentage: 0 }) });
    const { error } = await runOnce();
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(counts.progress).toBe(0);
    outcomes.push(['start answered with a non-GUID id', `${describeError(error)}; nothing polled`]);
  });

  it.each<[string, Route]>([
    ['an HTML page (a proxy login page)', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in</body></html>')],
    ['JSON cut in the middle', (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"6de9206a-de42-4182-8f86-a9a8d29fbd56","stat')],
    ['an empty body', (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('')],
    ['JSON of the wrong shape', (_q, r) => json(r, { ok: true })],
    ['an id that is not a GUID', (_q, r) => json(r, { id: '../../admin', status: 'Running', percentage: 0 })],
    ['a body cut off (Content-Length 200, the socket closed after 40 bytes)', (_q, r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      r.write('{"id":"6de9206a-de42-4182-8f86-a9a8d29fb', () => r.socket?.destroy());
    }],
  ])('a start answered 200 with %s may have started an execution: the error says so (executionMayExist, look it up by listing), sent once', async (what, start) => {
    const counts = serve({ start });
    const { error } = await runOnce();
    expect(error).toMatchObject({ executionMayExist: true });
    expect((error as Error).message).toMatch(/an execution may exist; see listExecutions/);
    expect(counts).toMatchObject({ start: 1, progress: 0 });
    outcomes.push([`start answered 200 with ${what}`, `${describeError(error)}; executionMayExist, sent once`]);
  });

  it('a Retry-After of 3,000,000 s (beyond 2^31 ms) waits only retry.maxDelayMs', async () => {
    serve({ progress: (_q, r, n) => (n <= 2 ? json(r, { message: 'busy' }, 503, { 'retry-after': '3000000' }) : json(r, progressBody('Success', 100))) });
    const { error, ms } = await runOnce();
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(1_000);
    outcomes.push(['Retry-After: 3000000 (34 days)', `clamped to retry.maxDelayMs; the run succeeded in ${Math.round(ms)} ms`]);
  });

  it('a redirect to another host is followed without the API key: that host refuses, SmartFlowsHttpError 401', async () => {
    // A real host answers 401 to a request without credentials.
    other.use((_q, r) => json(r, { message: 'unauthorized' }, 401));
    serve({ progress: (_q, r) => r.writeHead(302, { location: `${other.url}/api/v1/flows/executions/${EXEC}/progress` }).end() });
    const { error } = await runOnce();
    expect(other.seen.length).toBeGreaterThan(0);
    expect(other.seen.map((r) => r.headers['x-api-key'] ?? r.headers.authorization)).toEqual(other.seen.map(() => undefined));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 401, executionId: EXEC });
    outcomes.push(['redirect (302) to another host', `followed without X-API-Key/Authorization; that host's 401 gives ${describeError(error)}`]);
  });

  it('a redirect of the start POST is not followed: SmartFlowsHttpError 307, nothing sent elsewhere', async () => {
    other.use((_q, r) => json(r, progressBody('Running', 0)));
    serve({ start: (_q, r) => r.writeHead(307, { location: `${other.url}/api/v1/flows/executions?flowId=${FLOW}` }).end() });
    const { error } = await runOnce();
    expect(other.seen).toEqual([]);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 307 });
    outcomes.push(['redirect (307) of the start POST', `not followed: ${describeError(error)}`]);
  });
});
