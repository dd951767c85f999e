import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { inspect } from 'node:util';
import { delay, http, HttpResponse } from 'msw';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { isSmartFlowsError } from '../../lib/errors';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';
import { API, errorOf, EXEC_ID, EXECUTION_URL, executionBody, FLOW_ID, PROGRESS_URL, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const { server } = useMswServer();

// `+`, `/`, `"` and `\` change under encodeURIComponent and JSON escaping, so an echo in either
// form is a different string from the secret: each redaction branch has something to catch.
const KEY = 'sk-live+S3cr3t/K3y"01\\23456789';
const TOKEN = 'eyJhbGciOi+JIUzI1NiJ9/eyJzdWIi"OiJhbm4ifQ\\c2lnbmF0dXJl';

/** Every form an error is seen in: logs, toasts, bug reports, error trackers. */
function everyForm(error: any): string {
  return [
    error.message,
    error.stack,
    String(error),
    JSON.stringify(error),
    error.url,
    error.body,
    inspect(error, { depth: Infinity, showHidden: true }),
  ].join('\n');
}

/** The secret as written, URL-encoded and JSON-escaped: the forms a server echoes it in. */
const formsOf = (secret: string) => [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];

/** Every 10-character piece of every form of `secret` found in `text` (a secret cut at a limit is still a leak). */
function piecesIn(text: string, secret: string): string[] {
  const pieces = formsOf(secret).flatMap((form) => Array.from({ length: form.length - 9 }, (_, i) => form.slice(i, i + 10)));
  return [...new Set(pieces)].filter((piece) => text.includes(piece));
}

/** Servers that echo what they were sent into their error bodies, in the ways real ones do. */
const echoes: [string, (key: string) => Response][] = [
  ['the header as is', (key) => new HttpResponse(`Invalid API key: ${key}`, { status: 401 })],
  ['a JSON error', (key) => HttpResponse.json({ error: 'forbidden', received: { 'X-API-Key': key, Authorization: `Bearer ${key}` } }, { status: 403 })],
  ['a URL-encoded form', (key) => new HttpResponse(`key=${encodeURIComponent(key)}`, { status: 400 })],
  ['a JSON-escaped string in a text body', (key) => new HttpResponse(`{"detail":${JSON.stringify(`no such key ${key}`)}}`, { status: 401 })],
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
        // Not the secret, nor a piece of it in any encoding (cut at the body limit, escaped, encoded).
        expect(piecesIn(everyForm(error), secret)).toEqual([]);
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
      expect(piecesIn(everyForm(error), secret)).toEqual([]);
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

/** What a logger, `console.log` or an error tracker would write of `value`. */
const printed = (value: unknown): string =>
  [inspect(value, { depth: Infinity, showHidden: true }), JSON.stringify(value) ?? '', String(value)].join('\n');

const OTHER_FLOW = '0f0e0d0c-0b0a-4900-8800-000000000002';

describe('secrets never appear in the client or what it gives', () => {
  describe.each(credentials)('with %s', (_, auth) => {
    const secret = auth === credentials[0]![1] ? KEY : TOKEN;

    it('prints and serializes the client and its options without the secret', () => {
      const client = testClient(auth(secret));
      expect(piecesIn(printed(client), secret)).toEqual([]);
      expect(piecesIn(printed(client.options), secret)).toEqual([]);
      // Still says what it is, for a log line.
      expect(inspect(client)).toContain('SmartFlowsClient');
      expect(inspect(client)).toContain('https://flows.test/api/v1');
    });

    it('prints and serializes events, batch snapshots and their errors without the secret', async () => {
      server.use(
        // The second job's start is refused with the secret echoed: its snapshot item holds the error.
        http.post(START_URL, ({ request }) =>
          new URL(request.url).searchParams.get('flowId') === OTHER_FLOW
            ? HttpResponse.json({ error: 'refused', key: secret }, { status: 400 })
            : HttpResponse.json(progressBody('Running', 10))),
        http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Success', 100))),
        http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Success'))),
      );
      const client = testClient(auth(secret));
      const events = await lastValueFrom(client.run(FLOW_ID, '<a/>').pipe(toArray()));
      const snapshots = await lastValueFrom(client.runBatch([{ flowId: FLOW_ID, input: '<a/>' }, { flowId: OTHER_FLOW, input: '<a/>' }]).pipe(toArray()));
      expect(events.at(-1)?.type).toBe('output');
      expect(snapshots.at(-1)).toMatchObject({ done: true, succeeded: 1, failed: 1 });
      expect(piecesIn(printed(events), secret)).toEqual([]);
      expect(piecesIn(printed(snapshots), secret)).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// A model of echoes: any secret, echoed in any form a server writes one in, in any place an
// error or a batch snapshot takes server text from. Nothing of the secret may come out, in any
// of those forms, in any error property, message, toJSON, inspect, or snapshot.

/** Secrets as printable header values, with the characters each encoding changes. */
const secretArb = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789+/"\\=_-.~!*\'()&<>%:;'), minLength: 16, maxLength: 48 });
const encodingArb = fc.constantFrom(...Object.keys(ENCODINGS));
const credentialArb = fc.constantFrom(...credentials);

/** Where the echo lands: each a server and the call that meets it. */
type Placement = (echoed: string) => { arrange: () => void; call: (c: SmartFlowsClient) => Observable<unknown> };
const PLACEMENTS: Record<string, Placement> = {
  'a 401 text body': (echoed) => ({ arrange: () => server.use(http.get(PROGRESS_URL, () => new HttpResponse(`Invalid API key: ${echoed}`, { status: 401 }))), call: (c) => c.getProgress(EXEC_ID) }),
  'a 403 JSON body': (echoed) => ({ arrange: () => server.use(http.get(PROGRESS_URL, () => HttpResponse.json({ error: 'forbidden', received: echoed }, { status: 403 }))), call: (c) => c.getProgress(EXEC_ID) }),
  'a 400 start answer (run)': (echoed) => ({ arrange: () => server.use(http.post(START_URL, () => new HttpResponse(`<p>bad header ${echoed}</p>`, { status: 400 }))), call: (c) => c.run(FLOW_ID, '<a/>') }),
  'a 500 body cut at 1,000 characters': (echoed) => ({ arrange: () => server.use(http.get(PROGRESS_URL, () => new HttpResponse(`${'x'.repeat(990)}${echoed}`, { status: 500 }))), call: (c) => c.getProgress(EXEC_ID) }),
  'a 2xx progress message of a failed flow (run)': (echoed) => ({
    arrange: () =>
      server.use(
        http.post(START_URL, () => HttpResponse.json(progressBody('Running', 10))),
        http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Error', 100, { message: `Login with ${echoed} failed` }))),
        http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Error', { state: { report: [{ message: `header ${echoed}` }] } }))),
      ),
    call: (c) => c.run(FLOW_ID, '<a/>'),
  }),
  'a document download refused': (echoed) => ({
    arrange: () => server.use(http.get(`${API}/documents/:id/content`, () => new HttpResponse(`denied for ${echoed}`, { status: 403 }))),
    call: (c) => c.downloadDocument(EXEC_ID),
  }),
  'a listing refused': (echoed) => ({ arrange: () => server.use(http.get(START_URL, () => new HttpResponse(`key ${echoed} expired`, { status: 401 }))), call: (c) => c.listExecutions() }),
};
const placementArb = fc.constantFrom(...Object.keys(PLACEMENTS));

describe('secrets never appear in an error or a snapshot, whatever form the server echoes them in', () => {
  // Every encoding in every placement once, with the fixed key: the table the property samples.
  describe.each(Object.keys(PLACEMENTS))('in %s', (placement) => {
    it.each(Object.keys(ENCODINGS))('echoed %s', async (encoding) => {
      const { arrange, call } = PLACEMENTS[placement]!(ENCODINGS[encoding]!(KEY));
      arrange();
      const error = await errorOf(call(testClient({ apiKey: KEY, retry: { maxRetries: 0 } })));
      expect(isSmartFlowsError(error)).toBe(true);
      const text = everyForm(error);
      expect(leaksOf(text, KEY)).toEqual([]);
    });
  });

  test.prop([secretArb, encodingArb, placementArb, credentialArb], { numRuns: 80 })(
    'for any secret, encoding and placement, no error text holds the secret or a piece of it in any encoding',
    async (secret, encoding, placement, [, auth]) => {
      const { arrange, call } = PLACEMENTS[placement]!(ENCODINGS[encoding]!(secret));
      arrange();
      const error = await errorOf(call(testClient({ ...auth(secret), retry: { maxRetries: 0 } })));
      expect(isSmartFlowsError(error)).toBe(true);
      const text = everyForm(error);
      expect(leaksOf(text, secret)).toEqual([]);
    },
    // A bounded number of runs of a few ms each: seconds, with room for a busy machine.
    30_000,
  );

  // CI seed 204519787: a secret JSON-escaped twice in a JSON body (escaped three times) left a
  // piece of it (`\AAAAAAAAA`) in the error.
  it.each<[string, string, string]>([['A\\AAAAAAAAA"AAAAAAAAAAAAw', 'JSON-escaped twice', 'a 403 JSON body']])(
    'the property\'s counterexample %j, echoed %s in %s, leaves nothing',
    async (secret, encoding, placement) => {
      const { arrange, call } = PLACEMENTS[placement]!(ENCODINGS[encoding]!(secret));
      arrange();
      const error = await errorOf(call(testClient({ apiKey: secret, retry: { maxRetries: 0 } })));
      expect(isSmartFlowsError(error)).toBe(true);
      expect(leaksOf(everyForm(error), secret)).toEqual([]);
    },
  );

  test.prop([secretArb, encodingArb, credentialArb], { numRuns: 25 })(
    'for any secret and encoding, batch snapshots (outcome.error.message, the item errors) hold none of it',
    async (secret, encoding, [, auth]) => {
      const echoed = ENCODINGS[encoding]!(secret);
      server.use(
        http.post(START_URL, ({ request }) =>
          new URL(request.url).searchParams.get('flowId') === OTHER_FLOW
            ? new HttpResponse(`refused: ${echoed}`, { status: 400 })
            : HttpResponse.json(progressBody('Running', 10))),
        http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Error', 100, { message: `key ${echoed} not allowed` }))),
        http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Error'))),
      );
      const snapshots = await lastValueFrom(
        testClient({ ...auth(secret), retry: { maxRetries: 0 } }).runBatch([{ flowId: FLOW_ID, input: '<a/>' }, { flowId: OTHER_FLOW, input: '<a/>' }]).pipe(toArray()),
      );
      expect(snapshots.at(-1)).toMatchObject({ done: true, failed: 2 });
      const text = printed(snapshots) + snapshots.at(-1)!.items.map((i) => everyForm(i.error)).join('\n');
      expect(leaksOf(text, secret)).toEqual([]);
    },
    30_000,
  );
});
