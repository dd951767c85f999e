import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { firstValueFrom, type Observable, of } from 'rxjs';
import {
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../../lib/errors';
import {
  API,
  API_KEY,
  errorOf,
  EXEC_ID,
  EXECUTION_URL,
  executionBody,
  FLOW_ID,
  PROGRESS_URL,
  progressBody,
  START_URL,
  testClient,
  useMswServer,
} from '../helpers/msw';

const { server, requests } = useMswServer();
const OTHER_ID = '11111111-2222-4333-8444-555555555555';

describe('requests on the wire', () => {
  it('sends X-API-Key and Accept: application/json, and no Authorization, with an API key', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running'))));
    await firstValueFrom(testClient().getProgress(EXEC_ID));
    const headers = requests[0]!.headers;
    expect(headers.get('x-api-key')).toBe(API_KEY);
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.get('authorization')).toBeNull();
  });

  it.each([
    ['a string', 'jwt-abc'],
    ['a function', () => 'jwt-abc'],
    ['a function giving a Promise', async () => 'jwt-abc'],
    ['a function giving an Observable', () => of('jwt-abc')],
  ])('sends Authorization: Bearer with a token given as %s', async (_, bearerToken) => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running'))));
    await firstValueFrom(testClient({ apiKey: undefined, bearerToken }).getProgress(EXEC_ID));
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer jwt-abc');
    expect(requests[0]!.headers.get('x-api-key')).toBeNull();
  });

  it('asks a token function again for every request', async () => {
    let n = 0;
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running'))));
    const client = testClient({ apiKey: undefined, bearerToken: () => `jwt-${++n}` });
    await firstValueFrom(client.getProgress(EXEC_ID));
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('starts with POST /flows/executions?flowId=…, the XML body and Content-Type application/xml; charset="utf-8"', async () => {
    let seen: { url: string; type: string | null; body: string } | undefined;
    server.use(
      http.post(START_URL, async ({ request }) => {
        seen = { url: request.url, type: request.headers.get('content-type'), body: await request.text() };
        return HttpResponse.json(progressBody('Running'));
      }),
    );
    const first = await firstValueFrom(testClient().startExecution(FLOW_ID, '<Invoice><Nr>1</Nr></Invoice>'));
    expect(seen).toEqual({ url: `${START_URL}?flowId=${FLOW_ID}`, type: 'application/xml; charset="utf-8"', body: '<Invoice><Nr>1</Nr></Invoice>' });
    expect(requests[0]!.headers.get('x-api-key')).toBe(API_KEY);
    expect(first).toMatchObject({ id: EXEC_ID, status: 'Running' });
  });

  it('starts with POST /flows/executions/start when skipping user input', async () => {
    server.use(http.post(`${START_URL}/start`, () => HttpResponse.json(progressBody('Running'))));
    await firstValueFrom(testClient().startExecution(FLOW_ID, '<a/>', { skipUserInput: true }));
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${START_URL}/start?flowId=${FLOW_ID}`]);
  });

  it('sends user input as JSON to POST …/progress', async () => {
    let seen: { type: string | null; body: unknown } | undefined;
    server.use(
      http.post(PROGRESS_URL, async ({ request }) => {
        seen = { type: request.headers.get('content-type'), body: await request.json() };
        return HttpResponse.json(progressBody('Running', 50));
      }),
    );
    await firstValueFrom(testClient().submitUserInput(EXEC_ID, { approved: true, name: 'Ann' }));
    expect(seen).toEqual({ type: 'application/json', body: { approved: true, name: 'Ann' } });
  });

  it.each([
    ['https://flows.test', 'https://flows.test/api/v1'],
    ['https://flows.test/', 'https://flows.test/api/v1'],
    ['https://flows.test/tenant-a', 'https://flows.test/tenant-a/api/v1'],
    ['https://flows.test/tenant-a/', 'https://flows.test/tenant-a/api/v1'],
    ['https://flows.test/api/v1', 'https://flows.test/api/v1'],
    ['https://flows.test/tenant-a/api/v1/', 'https://flows.test/tenant-a/api/v1'],
  ])('with baseUrl %s calls below %s', async (baseUrl, root) => {
    server.use(http.get(`${root}/flows/executions/:id/progress`, () => HttpResponse.json(progressBody('Running'))));
    await firstValueFrom(testClient({ baseUrl }).getProgress(EXEC_ID));
    expect(requests[0]!.url).toBe(`${root}/flows/executions/${EXEC_ID}/progress?timeout=1`);
  });

  it.each<[string, string, string, (id: string) => Observable<unknown>]>([
    ['getProgress', 'GET', `${PROGRESS_URL}?timeout=1`, (id) => testClient().getProgress(id)],
    ['getExecution', 'GET', EXECUTION_URL, (id) => testClient().getExecution(id)],
  ])('%s sends %s %s', async (_, method, url, call) => {
    server.use(
      http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running'))),
      http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Running'))),
    );
    await firstValueFrom(call(EXEC_ID));
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([`${method} ${url}`]);
  });

  it('accepts an upper-case GUID and sends it as given', async () => {
    const upper = EXEC_ID.toUpperCase();
    server.use(http.get(`${API}/flows/executions/${upper}/progress`, () => HttpResponse.json(progressBody('Running'))));
    await firstValueFrom(testClient().getProgress(upper));
    expect(requests).toHaveLength(1);
  });

  it('sends nothing until subscribed, and once per subscription', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running'))));
    const progress$ = testClient().getProgress(EXEC_ID);
    await Promise.resolve();
    expect(requests).toHaveLength(0);
    await firstValueFrom(progress$);
    await firstValueFrom(progress$);
    expect(requests).toHaveLength(2);
  });
});

describe('status codes', () => {
  it.each([400, 401, 403, 404])('fails at once on %i with SmartFlowsHttpError after exactly one request', async (status) => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json({ error: 'no' }, { status })));
    const error = await errorOf(testClient().getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status, method: 'GET', url: `${PROGRESS_URL}?timeout=1`, body: '{"error":"no"}', executionId: EXEC_ID });
    expect(requests).toHaveLength(1);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %i up to retry.maxRetries, then fails with SmartFlowsHttpError', async (status) => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse('busy', { status })));
    const error = await errorOf(testClient({ retry: { maxRetries: 2 } }).getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error.status).toBe(status);
    expect(requests).toHaveLength(3);
  });

  it.each([408, 429, 500, 502, 503, 504])('recovers when %i is followed by an answer', async (status) => {
    let n = 0;
    server.use(http.get(PROGRESS_URL, () => (n++ < 2 ? new HttpResponse(null, { status }) : HttpResponse.json(progressBody('Running', 10)))));
    const p = await firstValueFrom(testClient().getProgress(EXEC_ID));
    expect(p.percentage).toBe(10);
    expect(requests).toHaveLength(3);
  });

  it('fails with SmartFlowsNetworkError after retries when the connection fails', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.error()));
    const error = await errorOf(testClient({ retry: { maxRetries: 2 } }).getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
    expect(error.executionId).toBe(EXEC_ID);
    expect(requests).toHaveLength(3);
  });

  it.each([
    ['seconds', '0'],
    ['an HTTP date', new Date(Date.now() - 1000).toUTCString()],
  ])('honours Retry-After given as %s', async (_, retryAfter) => {
    let n = 0;
    server.use(
      http.get(PROGRESS_URL, () =>
        n++ === 0 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': retryAfter } }) : HttpResponse.json(progressBody('Running')),
      ),
    );
    await firstValueFrom(testClient().getProgress(EXEC_ID));
    expect(requests).toHaveLength(2);
  });

  it('fails with SmartFlowsTimeoutError when an answer takes longer than requestTimeoutMs, after retries', async () => {
    server.use(
      http.get(PROGRESS_URL, async () => {
        await delay(1_100);
        return HttpResponse.json(progressBody('Running'));
      }),
    );
    const error = await errorOf(testClient({ requestTimeoutMs: 15, retry: { maxRetries: 1 } }).getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    // A progress call's limit is requestTimeoutMs plus the hold it asks (timeout=1: 1 s).
    expect(error).toMatchObject({ timeoutMs: 1_015, executionId: EXEC_ID });
    expect(requests).toHaveLength(2);
  });
});

describe('the start POST', () => {
  const refusedOnce = () => {
    let calls = 0;
    // What undici and node-fetch raise when nothing listens: the request never left.
    const fetch = async (url: string, init?: RequestInit) => {
      if (calls++ === 0) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return globalThis.fetch(url, init);
    };
    return { fetch, attempts: () => calls };
  };

  // Changed (start503): this pinned a blind resend after a 429/503 "since the server started
  // nothing"; neither proves that (a gateway answered 503 after the backend made the execution).
  // The start now goes again only after the flow's listing showed no execution with its input.
  it.each([429, 503])('is sent again after a %i once the flow\'s listing shows no execution with its input', async (status) => {
    let n = 0;
    server.use(
      http.post(START_URL, () => (n++ === 0 ? new HttpResponse(null, { status }) : HttpResponse.json(progressBody('Running')))),
      http.get(`${API}/flows/${FLOW_ID}/executions`, () => HttpResponse.json([])),
    );
    const first = await firstValueFrom(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(first.id).toBe(EXEC_ID);
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it.each([429, 503])('is not sent again after a %i when the listing cannot be read: the error says the execution may exist', async (status) => {
    server.use(
      http.post(START_URL, () => new HttpResponse(null, { status })),
      http.get(`${API}/flows/${FLOW_ID}/executions`, () => new HttpResponse(null, { status: 404 })),
    );
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(error).toMatchObject({ status, executionMayExist: true });
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('is sent again after a refused connection', async () => {
    server.use(http.post(START_URL, () => HttpResponse.json(progressBody('Running'))));
    const refused = refusedOnce();
    const first = await firstValueFrom(testClient({ fetch: refused.fetch }).startExecution(FLOW_ID, '<a/>'));
    expect(first.id).toBe(EXEC_ID);
    expect(refused.attempts()).toBe(2);
  });

  it.each([500, 502, 504])('is never sent again after a %i, and the error says the execution may exist', async (status) => {
    server.use(http.post(START_URL, () => new HttpResponse('boom', { status })));
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error.executionMayExist).toBe(true);
    expect(error.message).toMatch(/execution may exist/);
    expect(requests).toHaveLength(1);
  });

  it('is never sent again after a reset, and the error says the execution may exist', async () => {
    server.use(http.post(START_URL, () => HttpResponse.error()));
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
    expect(error.executionMayExist).toBe(true);
    expect(error.message).toMatch(/execution may exist/);
    expect(requests).toHaveLength(1);
  });

  it('is never sent again after a timeout, and the error says the execution may exist', async () => {
    server.use(http.post(START_URL, async () => { await delay(60); return HttpResponse.json(progressBody('Running')); }));
    const error = await errorOf(testClient({ requestTimeoutMs: 15 }).startExecution(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error.executionMayExist).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it.each([400, 401, 403, 404])('fails at once on %i without claiming an execution may exist', async (status) => {
    server.use(http.post(START_URL, () => new HttpResponse(null, { status })));
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error.executionMayExist).toBeUndefined();
    expect(requests).toHaveLength(1);
  });

  // Changed (start503): each 503 is now followed by one listing request (none shown: sent again),
  // the last one too, so the error can say nothing was made.
  it('gives up after retry.maxRetries 503s, each looked up in the listing, without claiming an execution may exist', async () => {
    server.use(
      http.post(START_URL, () => new HttpResponse(null, { status: 503 })),
      http.get(`${API}/flows/${FLOW_ID}/executions`, () => HttpResponse.json([])),
    );
    const error = await errorOf(testClient({ retry: { maxRetries: 2 } }).startExecution(FLOW_ID, '<a/>'));
    expect(error.status).toBe(503);
    expect(error.executionMayExist).toBeUndefined();
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST', 'GET', 'POST', 'GET']);
  });
});

describe('answers that are not what was expected', () => {
  it.each([
    ['no status', { id: EXEC_ID, percentage: 5 }, ['status']],
    ['no id', { status: 'Running' }, ['id']],
    ['a numeric status', { id: EXEC_ID, status: 7 }, ['status']],
  ])('fails with SmartFlowsResponseError and zod issues on a progress with %s, without retrying', async (_, body, path) => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(body)));
    const error = await errorOf(testClient().getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(error.executionId).toBe(EXEC_ID);
    expect(requests).toHaveLength(1);
  });

  it('fails with SmartFlowsResponseError and zod issues on an execution without a status', async () => {
    server.use(http.get(EXECUTION_URL, () => HttpResponse.json({ id: EXEC_ID })));
    const error = await errorOf(testClient().getExecution(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.issues?.[0]).toMatchObject({ path: ['status'] });
  });

  it('retries a 200 answer that is not JSON on a GET, then fails with SmartFlowsResponseError', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.text('<html>gateway</html>')));
    const error = await errorOf(testClient({ retry: { maxRetries: 2 } }).getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.retryable).toBe(true);
    expect(requests).toHaveLength(3);
  });

  it('recovers when a garbled answer is followed by a good one', async () => {
    let n = 0;
    server.use(http.get(PROGRESS_URL, () => (n++ === 0 ? HttpResponse.text('{"id": "6de9') : HttpResponse.json(progressBody('Running', 7)))));
    expect((await firstValueFrom(testClient().getProgress(EXEC_ID))).percentage).toBe(7);
  });

  it('fails with SmartFlowsResponseError when the progress is for another execution', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json({ ...progressBody('Running'), id: OTHER_ID })));
    const error = await errorOf(testClient().getProgress(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.message).toContain(OTHER_ID);
    expect(error.executionId).toBe(EXEC_ID);
  });

  it('fails with SmartFlowsResponseError when the start answers an id that is not a GUID', async () => {
    server.use(http.post(START_URL, () => HttpResponse.json({ ...progressBody('Running'), id: '../admin' })));
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(requests).toHaveLength(1);
  });

  it('clamps the percentage and keeps extra fields', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running', 130, { tenant: 'acme', eta: 5 }))));
    const p = await firstValueFrom(testClient().getProgress(EXEC_ID));
    expect(p).toMatchObject({ percentage: 100, tenant: 'acme', eta: 5, rawStatus: 'Running' });
  });
});
