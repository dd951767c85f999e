import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { delay, http, HttpResponse } from 'msw';
import { type Observable } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { isSmartFlowsError } from '../../lib/errors';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { errorOf, EXEC_ID, FLOW_ID, PROGRESS_URL, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const { server } = useMswServer();

const KEY = 'sk-live-S3cr3t-K3y-0123456789';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl';

/** Every form an error is seen in: logs, toasts, bug reports, error trackers. */
function everyForm(error: any): string {
  return [
    error.message,
    error.stack,
    String(error),
    JSON.stringify(error),
    error.url,
    error.body,
    inspect(error, { depth: 10, showHidden: true }),
  ].join('\n');
}

/** Servers that echo what they were sent into their error bodies, in the ways real ones do. */
const echoes: [string, (key: string) => Response][] = [
  ['the header as is', (key) => new HttpResponse(`Invalid API key: ${key}`, { status: 401 })],
  ['a JSON error', (key) => HttpResponse.json({ error: 'forbidden', received: { 'X-API-Key': key, Authorization: `Bearer ${key}` } }, { status: 403 })],
  ['a URL-encoded form', (key) => new HttpResponse(`key=${encodeURIComponent(key)}`, { status: 400 })],
  ['the key at the 1,000-character cut', (key) => new HttpResponse(`${'x'.repeat(990)}${key}`, { status: 404 })],
  ['a 500 after retries', (key) => new HttpResponse(`NullPointerException while checking ${key}`, { status: 500 })],
];

const credentials: [string, (secret: string) => Partial<SmartFlowsClientOptions>][] = [
  ['an API key', (secret) => ({ apiKey: secret })],
  ['a bearer token string', (secret) => ({ apiKey: undefined, bearerToken: secret })],
  ['a bearer token function', (secret) => ({ apiKey: undefined, bearerToken: async () => secret })],
];

const calls: [string, (c: SmartFlowsClient) => Observable<unknown>][] = [
  ['getProgress', (c) => c.getProgress(EXEC_ID)],
  ['run', (c) => c.run(FLOW_ID, '<a/>')],
];

describe('secrets never appear in an error', () => {
  describe.each(credentials)('with %s', (_, auth) => {
    const secret = auth === credentials[0]![1] ? KEY : TOKEN;

    it.each(echoes)('when the server echoes %s', async (__, echo) => {
      server.use(
        http.get(PROGRESS_URL, () => echo(secret)),
        http.post(START_URL, () => echo(secret)),
      );
      for (const [, call] of calls) {
        const error = await errorOf(call(testClient({ ...auth(secret), retry: { maxRetries: 1 } })));
        expect(isSmartFlowsError(error)).toBe(true);
        expect(error.status).toBeGreaterThanOrEqual(400);
        expect(everyForm(error)).not.toContain(secret);
        // Not even the start of it, cut at the body limit.
        expect(everyForm(error)).not.toContain(secret.slice(0, 12));
        expect(error.body).toContain('[redacted]');
      }
    });

    it.each<[string, () => void, Partial<SmartFlowsClientOptions>]>([
      ['a network error', () => server.use(http.get(PROGRESS_URL, () => HttpResponse.error())), {}],
      ['a request timeout', () => server.use(http.get(PROGRESS_URL, async () => { await delay(50); return HttpResponse.json({}); })), { requestTimeoutMs: 10, retry: { maxRetries: 0 } }],
      ['a schema failure', () => server.use(http.get(PROGRESS_URL, () => HttpResponse.json({ id: EXEC_ID, message: secret }))), {}],
      ['a body that is not JSON', () => server.use(http.get(PROGRESS_URL, () => HttpResponse.text(`<html>${secret}</html>`))), {}],
    ])('on %s', async (__, arrange, extra) => {
      arrange();
      const error = await errorOf(testClient({ ...auth(secret), retry: { maxRetries: 1 }, ...extra }).getProgress(EXEC_ID));
      expect(isSmartFlowsError(error)).toBe(true);
      expect(everyForm(error)).not.toContain(secret);
    });

    it('on bad input', async () => {
      const error = await errorOf(testClient(auth(secret)).getProgress('../x'));
      expect(everyForm(error)).not.toContain(secret);
    });
  });

  it('keeps the answer readable around the redaction', async () => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse(`bad key ${KEY} for tenant acme`, { status: 401 })));
    const error = await errorOf(testClient({ apiKey: KEY }).getProgress(EXEC_ID));
    expect(error.body).toBe('bad key [redacted] for tenant acme');
  });

  it('keeps a successful answer unchanged (redaction is for errors only)', async () => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running', 10, { message: 'ok' }))));
    const values = await new Promise((resolve) => testClient({ apiKey: KEY }).getProgress(EXEC_ID).subscribe(resolve));
    expect(values).toMatchObject({ message: 'ok' });
  });

  it('refuses options with a bad key without showing the key', () => {
    const badKey = `${KEY} \n`;
    let caught: unknown;
    try {
      new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: badKey });
    } catch (error) {
      caught = error;
    }
    expect(isSmartFlowsError(caught)).toBe(true);
    expect(everyForm(caught)).not.toContain(KEY);
  });
});
