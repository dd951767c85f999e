import { HttpClient, type HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import {
  SmartFlowsClient,
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
  type SmartFlowsClientOptions,
} from 'smart-flows-rx';
import { httpClientFetch, injectExecution, provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nextRequest } from '../testing/next-request';
import { waitFor } from '../testing/wait-for';

const BASE = 'https://flows.example.com';
const KEY = 'sk-live-7f3a9c';
const ID = '0d9c4c38-5a43-4c39-9a3e-1c5b7e0c0001';
const FLOW = '7c1f0e9a-3b2d-4c5e-8f6a-1b2c3d4e5f60';
const DOC = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const progress = (status: string, percentage = 50) => ({ id: ID, status, percentage, message: `${status} ${percentage}` });

/** The app's own interceptor, as registered with provideHttpClient(withInterceptors([...])). */
const seen: string[] = [];
const traceInterceptor: HttpInterceptorFn = (request, next) => {
  seen.push(`${request.method} ${new URL(request.url).pathname}`);
  return next(request.clone({ setHeaders: { 'X-Trace-Id': 'trace-42' } }));
};

const options: SmartFlowsClientOptions = { baseUrl: BASE, apiKey: KEY, retry: { maxRetries: 2, delayMs: 1, maxDelayMs: 5, jitter: false } };

describe('withHttpClient', () => {
  let client: SmartFlowsClient;
  let http: HttpTestingController;

  beforeEach(() => {
    seen.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([traceInterceptor])),
        provideHttpClientTesting(),
        provideSmartFlows(options, withHttpClient()),
      ],
    });
    client = TestBed.inject(SmartFlowsClient);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  it('sends every request through HttpClient, where the app\'s interceptor adds its header', async () => {
    const answer = firstValueFrom(client.getProgress(ID));
    const request = await nextRequest(http);
    expect(request.request.method).toBe('GET');
    expect(request.request.url).toBe(`${BASE}/api/v1/flows/executions/${ID}/progress?timeout=1`); // the browser default asks no hold: an explicit 1 s
    expect(request.request.headers.get('X-API-Key')).toBe(KEY);
    expect(request.request.headers.get('X-Trace-Id')).toBe('trace-42');
    expect(seen).toEqual([`GET /api/v1/flows/executions/${ID}/progress`]);
    request.flush(progress('running', 40));
    await expect(answer).resolves.toMatchObject({ id: ID, status: 'Running', rawStatus: 'running', percentage: 40 });
  });

  it('posts an XML input as it is, with its content type, and reads the start answer', async () => {
    const answer = firstValueFrom(client.startExecution(FLOW, '<Letter><To>Ada</To></Letter>'));
    const request = await nextRequest(http);
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toBe('<Letter><To>Ada</To></Letter>');
    expect(request.request.headers.get('Content-Type')).toMatch(/xml/);
    expect(request.request.headers.get('X-Trace-Id')).toBe('trace-42');
    request.flush(progress('Queued', 0));
    await expect(answer).resolves.toMatchObject({ id: ID, status: 'Queued' });
  });

  it('downloads a binary document byte for byte, with its file name', async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x80, 0x0a]);
    const answer = firstValueFrom(client.downloadDocument(DOC));
    const request = await nextRequest(http);
    expect(request.request.responseType).toBe('arraybuffer');
    request.flush(bytes.slice().buffer, { headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="Letter.pdf"' } });
    const document = await answer;
    expect(document).toMatchObject({ documentId: DOC, fileName: 'Letter.pdf', contentType: 'application/pdf' });
    expect([...document.data]).toEqual([...bytes]);
  });

  it('gives an error status to the client as an answer: SmartFlowsHttpError, its echoed key redacted', async () => {
    const answer = firstValueFrom(client.getProgress(ID));
    const request = await nextRequest(http);
    request.flush({ error: `no execution for key ${KEY}` }, { status: 404, statusText: 'Not Found' });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 404, method: 'GET' });
    expect((error as SmartFlowsHttpError).body).toContain('[redacted]');
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(KEY);
  });

  it('retries a 503 after its Retry-After (clamped to retry.maxDelayMs), then reads the answer', async () => {
    const answer = firstValueFrom(client.getProgress(ID));
    (await nextRequest(http)).flush('busy', { status: 503, statusText: 'Service Unavailable', headers: { 'Retry-After': '120' } });
    // Without the clamp the retry would wait two minutes and this would time out.
    const again = await nextRequest(http);
    again.flush(progress('Success', 100));
    await expect(answer).resolves.toMatchObject({ status: 'Success' });
  });

  it('turns "no answer" (status 0) into SmartFlowsNetworkError after the retries', async () => {
    const answer = firstValueFrom(client.getProgress(ID)).catch((e: unknown) => e);
    for (let attempt = 0; attempt < 3; attempt++) (await nextRequest(http)).error(new ProgressEvent('error'));
    const error = await answer;
    expect(error).toBeInstanceOf(SmartFlowsNetworkError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('refuses a 200 that is not JSON with SmartFlowsResponseError, after the retries', async () => {
    const answer = firstValueFrom(client.getProgress(ID)).catch((e: unknown) => e);
    for (let attempt = 0; attempt < 3; attempt++) (await nextRequest(http)).flush('<html>Maintenance</html>', { headers: { 'Content-Type': 'text/html' } });
    expect(await answer).toBeInstanceOf(SmartFlowsResponseError);
  });

  it('cancels the HttpClient request when the subscriber leaves', async () => {
    const subscription = client.getProgress(ID).subscribe();
    const request = await nextRequest(http);
    expect(request.cancelled).toBe(false);
    subscription.unsubscribe();
    expect(request.cancelled).toBe(true);
  });
});

describe('httpClientFetch', () => {
  it('is a fetch for any client: a request timeout cancels the HttpClient request with SmartFlowsTimeoutError', async () => {
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    const client = new SmartFlowsClient({ baseUrl: BASE, apiKey: KEY, fetch: httpClientFetch(TestBed.inject(HttpClient)), requestTimeoutMs: 30, retry: { maxRetries: 0 } });
    const answer = firstValueFrom(client.getProgress(ID)).catch((e: unknown) => e);
    const request = await nextRequest(http);
    expect(await answer).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(request.cancelled).toBe(true);
  });
});

describe('injectExecution over withHttpClient', () => {
  it('retry() after a request failure watches the same execution again instead of starting a second one', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideSmartFlows({ ...options, polling: { intervalMs: 1, maxIntervalMs: 1 } }, withHttpClient()),
      ],
    });
    const http = TestBed.inject(HttpTestingController);
    const letter = TestBed.runInInjectionContext(() => injectExecution({ flowId: FLOW, input: '<Letter/>' }));
    TestBed.tick();

    const start = await nextRequest(http);
    expect(start.request.method).toBe('POST');
    start.flush(progress('Running', 10));
    const poll = await nextRequest(http);
    expect(poll.request.url).toBe(`${BASE}/api/v1/flows/executions/${ID}/progress?timeout=1`);
    poll.flush({ error: 'gateway lost it' }, { status: 404, statusText: 'Not Found' });
    await waitFor(() => expect(letter.error()).toBeInstanceOf(SmartFlowsHttpError));
    expect(letter.error()).toMatchObject({ status: 404, executionId: ID });
    expect(letter.isActive()).toBe(false);

    letter.retry();
    TestBed.tick();
    const again = await nextRequest(http);
    expect([again.request.method, again.request.url]).toEqual(['GET', `${BASE}/api/v1/flows/executions/${ID}/progress?timeout=1`]);
    again.flush(progress('Running', 20));
    await waitFor(() => expect(letter.percentage()).toBe(20));
    expect(letter.error()).toBeUndefined();
    expect(letter.isActive()).toBe(true);
  });
});
