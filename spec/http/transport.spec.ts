import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { buildUrl, createTransport, type HttpRequest } from '../../lib/http/transport';
import { seededRandom } from '../../lib/testing/index';
import { normalizeOptions, type SmartFlowsClientOptions } from '../../lib/options';
import {
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../../lib/errors';
import { API, API_KEY, BASE, EXEC_ID, errorOf, PROGRESS_URL, useMswServer } from '../helpers/msw';

const { server, requests } = useMswServer();

const transport = (overrides: Partial<SmartFlowsClientOptions> = {}) =>
  createTransport(normalizeOptions({ baseUrl: BASE, apiKey: API_KEY, ...overrides }));
const progressGet: HttpRequest = { method: 'GET', path: `/flows/executions/${EXEC_ID}/progress` };

describe('createTransport', () => {
  it('reads a JSON answer and gives status, headers, body and url', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json({ id: EXEC_ID }, { headers: { 'x-extra': 'yes' } })));
    const response = await firstValueFrom(transport()(progressGet));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: EXEC_ID });
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(response.url).toBe(PROGRESS_URL);
  });

  it('parses JSON whatever the Content-Type says', async () => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse('{"id":"x"}', { headers: { 'content-type': 'text/plain' } })));
    expect((await firstValueFrom(transport()(progressGet))).body).toEqual({ id: 'x' });
  });

  it('puts defined query parameters in the URL and leaves undefined ones out', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json({})));
    await firstValueFrom(transport()({ ...progressGet, query: { timeout: 10, skip: undefined } }));
    expect(requests[0]!.url).toBe(`${PROGRESS_URL}?timeout=10`);
  });

  it('writes every query as URLSearchParams would, plain ones joined as they are (2,000 seeded queries)', () => {
    const random = seededRandom(20261202);
    const PIECES = ['a', 'Z', '0', '9', '-', '_', '.', '*', ' ', '+', '&', '=', '?', '#', '/', '%', '~', '!', "'", '(', ')', 'é', '日', '😀', '\ud800'];
    const text = () => Array.from({ length: Math.floor(random() * 4) }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
    let plain = 0;
    for (let i = 0; i < 2000; i++) {
      const query: NonNullable<HttpRequest['query']> = {};
      for (let k = Math.floor(random() * 4); k > 0; k--) query[text() || 'k'] = random() < 0.2 ? undefined : random() < 0.3 ? Math.floor(random() * 100) : text();
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const expected = `${API}/x${params.size ? `?${params}` : ''}`;
      expect({ query, url: buildUrl(API, '/x', query) }).toEqual({ query, url: expected });
      if (params.size && expected.endsWith(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join('&'))) plain++;
    }
    // The plain way (joined as is) was taken often, and so was the encoding one.
    expect(plain).toBeGreaterThan(100);
    expect(plain).toBeLessThan(1900);
  });

  it('sends the body and the Content-Type it is given', async () => {
    let seen: { type: string | null; body: string } | undefined;
    server.use(
      http.post(`${API}/flows/executions`, async ({ request }) => {
        seen = { type: request.headers.get('content-type'), body: await request.text() };
        return HttpResponse.json({});
      }),
    );
    await firstValueFrom(transport()({ method: 'POST', path: '/flows/executions', body: '<a/>', contentType: 'application/xml; charset="utf-8"' }));
    expect(seen).toEqual({ type: 'application/xml; charset="utf-8"', body: '<a/>' });
  });

  it('sends no Content-Type without a body', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json({})));
    await firstValueFrom(transport()(progressGet));
    expect(requests[0]!.headers.get('content-type')).toBeNull();
  });

  it('fails with SmartFlowsHttpError carrying status, method, url and the trimmed body on a non-2xx answer', async () => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse('x'.repeat(5000), { status: 500 })));
    const error = await errorOf(transport()(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 500, method: 'GET', url: PROGRESS_URL });
    expect(error.body).toHaveLength(1000);
    expect(error.message).toBe(`Request failed with status 500: GET /api/v1/flows/executions/${EXEC_ID}/progress`);
  });

  it('redacts the extra secrets a request names (a login password) from an error body', async () => {
    server.use(http.post(`${API}/authenticate/login`, () => HttpResponse.json({ error: 'bad login ann / hunter2!' }, { status: 401 })));
    const error = await errorOf(transport()({ method: 'POST', path: '/authenticate/login', body: '{}', secrets: ['hunter2!'] }));
    expect(error.body).toBe('{"error":"bad login ann / [redacted]"}');
  });

  it.each([
    ['seconds', '7', 7000],
    ['an HTTP date in the past', 'Wed, 21 Oct 2015 07:28:00 GMT', 0],
    ['a value beyond retry.maxDelayMs', '3600', 30_000],
    ['garbage', 'soon', undefined],
  ])('reads Retry-After given as %s', async (_, header, expected) => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse(null, { status: 503, headers: { 'retry-after': header } })));
    const error = await errorOf(transport()(progressGet));
    expect(error.retryAfterMs).toBe(expected);
  });

  it('fails with a retryable SmartFlowsResponseError when a 200 answer is not JSON', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.html('<html>proxy login</html>')));
    const error = await errorOf(transport()(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/is not JSON \(text\/html/);
  });

  it('fails with SmartFlowsNetworkError (maybe received) when the connection fails', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.error()));
    const error = await errorOf(transport()(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
    expect(error).toMatchObject({ method: 'GET', url: PROGRESS_URL, maybeReceived: true });
    expect(error.cause).toBeDefined();
  });

  it('marks a refused connection as certainly not received', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const error = await errorOf(transport({ fetch: () => Promise.reject(refused) })(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
    expect(error.maybeReceived).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('turns a fetch that throws synchronously into SmartFlowsNetworkError', async () => {
    const error = await errorOf(transport({ fetch: () => { throw new TypeError('bad init'); } })(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
  });

  it('fails with SmartFlowsTimeoutError when the answer takes longer than requestTimeoutMs', async () => {
    server.use(http.get(PROGRESS_URL, async () => { await delay(200); return HttpResponse.json({}); }));
    const error = await errorOf(transport({ requestTimeoutMs: 20 })(progressGet));
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error.timeoutMs).toBe(20);
    expect(error.message).toBe(`Request timed out after 20 ms: GET /api/v1/flows/executions/${EXEC_ID}/progress`);
  });

  it('times out on the client scheduler, and clamps a limit above 2^31-1 ms', () => {
    const scheduler = new VirtualTimeScheduler();
    const errors: any[] = [];
    const hanging = () => new Promise<Response>(() => undefined);
    transport({ fetch: hanging, scheduler })({ ...progressGet, timeoutMs: 10 ** 12 }).subscribe({ error: (e) => errors.push(e) });
    scheduler.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(errors[0].timeoutMs).toBe(2 ** 31 - 1);
    expect(scheduler.now()).toBe(2 ** 31 - 1);
  });

  it('lets a request say its own timeout (a long poll)', async () => {
    server.use(http.get(PROGRESS_URL, async () => { await delay(40); return HttpResponse.json({ ok: true }); }));
    const response = await firstValueFrom(transport({ requestTimeoutMs: 10 })({ ...progressGet, timeoutMs: 2000 }));
    expect(response.body).toEqual({ ok: true });
  });

  it('aborts the request in flight when unsubscribed, and stops its timeout', async () => {
    let signal: AbortSignal | undefined;
    const hanging = (_url: string, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Promise<Response>(() => undefined);
    };
    const scheduler = new VirtualTimeScheduler();
    const errors: unknown[] = [];
    const subscription = transport({ fetch: hanging, requestTimeoutMs: 5, scheduler })(progressGet).subscribe({ error: (e) => errors.push(e) });
    expect(signal?.aborted).toBe(false);
    subscription.unsubscribe();
    expect(signal?.aborted).toBe(true);
    scheduler.flush();
    expect(errors).toEqual([]);
  });

  describe('timeouts of a binary answer (virtual time)', () => {
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    /** A download whose headers come at once and whose chunks the test pushes at virtual times. */
    function download(scheduler: VirtualTimeScheduler) {
      let body!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (body = c) });
      const fetch = async () => new Response(stream, { headers: { 'content-type': 'application/pdf' } });
      const seen: { value?: unknown; error?: any } = {};
      transport({ fetch, requestTimeoutMs: 100, scheduler })({ method: 'GET', path: `/documents/${EXEC_ID}/content`, responseType: 'bytes' }).subscribe({
        next: (r) => (seen.value = r.body),
        error: (e) => (seen.error = e),
      });
      /** Moves the clock to `ms` (running the timers due by then) and sends a chunk, or ends the body. */
      const at = async (ms: number, chunk?: number[]) => {
        scheduler.maxFrames = ms;
        scheduler.flush();
        scheduler.frame = ms;
        if (chunk) body.enqueue(new Uint8Array(chunk));
        else body.close();
        await tick();
        await tick();
      };
      return { seen, at };
    }

    it('lets a body that keeps arriving take longer than requestTimeoutMs in all', async () => {
      const scheduler = new VirtualTimeScheduler();
      const { seen, at } = download(scheduler);
      await tick();
      await at(90, [1]);
      await at(180, [2]);
      await at(270, [3]);
      await at(360);
      expect(seen.error).toBeUndefined();
      expect(seen.value).toEqual(new Uint8Array([1, 2, 3]));
    });

    it('errors with SmartFlowsTimeoutError when the body stalls for requestTimeoutMs between chunks', async () => {
      const scheduler = new VirtualTimeScheduler();
      const { seen, at } = download(scheduler);
      await tick();
      await at(90, [1]);
      scheduler.maxFrames = Infinity;
      scheduler.flush();
      expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
      expect(seen.error.message).toBe(`Download stalled: no data for 100 ms: GET /api/v1/documents/${EXEC_ID}/content`);
      // The stall is counted from the last chunk (90), not from the request (0).
      expect(scheduler.now()).toBe(190);
    });
  });
});
