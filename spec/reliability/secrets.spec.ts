import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { type FetchLike, SmartFlowsClient, type SmartFlowsClientOptions, SmartFlowsInputError } from 'smart-flows-rx';
import { type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { countingFetch } from './support/countingFetch';
import { outcomeFlows } from './support/flows';
import { type HostileServer, startHostileServer } from './support/hostileServer';
import { errorTexts, holdsSecret, SECRET_API_KEY, SECRET_BEARER_TOKEN, SECRET_PASSWORD, scanForSecrets, secretLeaks } from './support/secrets';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';
import { inspect } from 'node:util';

// Every error the client can raise, provoked with the secrets in use, is scanned: message,
// stack, String(e), JSON.stringify(e), every property (url, body, issues…) and the cause chain.
// The other reliability specs scan their errors too (faults, unsubscribe, bad input, hostile).

const flows = outcomeFlows(5);
const EXEC = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
let simulator: SimulatorServer;
/** A simulator that accepts the secret key and password: the runs succeed while the secrets are in use. */
let accepting: SimulatorServer;
let hostile: HostileServer;
const spy = countingFetch();
const produced: [string, unknown][] = [];

beforeAll(async () => {
  simulator = await startSimulatorServer({
    seed: 3,
    flows: Object.values(flows),
    // The key the server accepts is another one: the secret key and token are refused (401).
    apiKeys: ['the-server-key'],
    users: [{ username: 'ada', password: 'the-real-password' }],
  });
  accepting = await startSimulatorServer({ seed: 4, flows: Object.values(flows), apiKeys: [SECRET_API_KEY], users: [{ username: 'ada', password: SECRET_PASSWORD }] });
  hostile = await startHostileServer();
});
afterAll(async () => {
  await simulator.close();
  await accepting.close();
  await hostile.close();
  console.info(`[reliability] secrets: ${produced.length} errors scanned (${[...new Set(produced.map(([, e]) => (e as Error).name))].join(', ')}), ${spy.calls.length} request URLs checked, 0 leaks expected`);
});

const fast = { polling: { intervalMs: 5, maxIntervalMs: 20 }, retry: { maxRetries: 1, delayMs: 5, maxDelayMs: 20 }, requestTimeoutMs: 5_000 };
/** The limit where a request is meant to time out (a server that never answers). */
const SHORT_LIMIT = { requestTimeoutMs: 300 };
const withKey = (baseUrl: string, more: Partial<SmartFlowsClientOptions> = {}) =>
  new SmartFlowsClient({ baseUrl, apiKey: SECRET_API_KEY, fetch: spy.fetch, ...fast, ...more });
const withToken = (baseUrl: string, more: Partial<SmartFlowsClientOptions> = {}) =>
  new SmartFlowsClient({ baseUrl, bearerToken: SECRET_BEARER_TOKEN, fetch: spy.fetch, ...fast, ...more });
const withBoth = (baseUrl: string, more: Partial<SmartFlowsClientOptions> = {}) =>
  new SmartFlowsClient({ baseUrl, apiKey: SECRET_API_KEY, bearerToken: SECRET_BEARER_TOKEN, fetch: spy.fetch, ...fast, ...more });

/** Runs a stream to its error, keeps the error for the final scan, and checks it at once. */
async function errorOf(label: string, stream: Parameters<typeof lastValueFrom>[0]): Promise<Error> {
  let error: unknown;
  try {
    await lastValueFrom(stream);
  } catch (e) {
    error = e;
  }
  // [label, …] pairs, so a failure names the case.
  expect([label, error instanceof Error]).toEqual([label, true]);
  produced.push([label, error]);
  expect([label, scanForSecrets(error)]).toEqual([label, []]);
  return error as Error;
}

/** A hostile server answering every request with `status`, `body` and headers echoing the credentials. */
function echo(status: number, body: (key: string, auth: string) => string, headers: Record<string, string> = {}) {
  hostile.use((req, res) => {
    const key = String(req.headers['x-api-key'] ?? '');
    const auth = String(req.headers.authorization ?? '');
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body(key, auth));
  });
}

describe('secrets kept: no error shows the API key, bearer token or password', () => {
  it('the scanner finds a planted secret (whole, a 10-character piece, URL-encoded, in a cause)', () => {
    expect(secretLeaks(new Error(`key=${SECRET_API_KEY}`))).not.toEqual([]);
    expect(secretLeaks(new Error(`…"${SECRET_API_KEY.slice(0, 10)}"… is not valid JSON`))).not.toEqual([]);
    expect(secretLeaks(Object.assign(new Error('x'), { url: `https://h/?t=${encodeURIComponent(SECRET_BEARER_TOKEN)}` }))).not.toEqual([]);
    expect(secretLeaks(new Error('outer', { cause: new Error(SECRET_PASSWORD) }))).not.toEqual([]);
    expect(secretLeaks(new Error('nothing here'))).toEqual([]);
  });

  it('401 for a refused API key (SmartFlowsHttpError)', async () => {
    const e = await errorOf('401 api key', withKey(simulator.url).run(flows.Success.id, '<Letter/>'));
    expect(e).toMatchObject({ name: 'SmartFlowsHttpError', status: 401 });
  });

  it('401 for a refused bearer token, string and function (asked again once after the 401)', async () => {
    await errorOf('401 bearer', withToken(simulator.url).getExecution(EXEC));
    let asked = 0;
    await errorOf('401 bearer fn', new SmartFlowsClient({ baseUrl: simulator.url, bearerToken: () => (asked++, SECRET_BEARER_TOKEN), fetch: spy.fetch, ...fast }).getProgress(EXEC));
    expect(asked).toBe(2);
  });

  it('a login refused for a wrong password, and a withLogin client whose login fails', async () => {
    const anonymous = withKey(simulator.url);
    await errorOf('login 401', anonymous.login({ username: 'ada', password: SECRET_PASSWORD }));
    const client = SmartFlowsClient.withLogin({ baseUrl: simulator.url, fetch: spy.fetch, ...fast }, { username: 'ada', password: SECRET_PASSWORD });
    await errorOf('withLogin 401', client.run(flows.Success.id, '<Letter/>'));
  });

  it('a server echoing the credentials in an error body (plain, JSON-escaped, URL-encoded, cut at 1,000 characters)', async () => {
    echo(401, (key, auth) => `Invalid key ${key} / ${JSON.stringify(auth)} / ${encodeURIComponent(key)}`);
    await errorOf('echo 401 body', withBoth(hostile.url).getProgress(EXEC));
    echo(500, (key) => `${'x'.repeat(995)}${key}`);
    const e = await errorOf('echo 500 body cut at the limit', withKey(hostile.url).getProgress(EXEC));
    expect(e).toMatchObject({ status: 500 });
  });

  describe.each(Object.keys(ENCODINGS))('a server echoing the key and the token %s', (encoding) => {
    const encode = ENCODINGS[encoding]!;
    /** Every text of `value` (an error with its causes, or snapshots), checked for both secrets in every form. */
    const leaks = (value: unknown) => {
      const text = value instanceof Error ? errorTexts(value).map(([, t]) => t).join('\n') : JSON.stringify(value) + inspect(value, { depth: Infinity });
      return [...leaksOf(text, SECRET_API_KEY), ...leaksOf(text, SECRET_BEARER_TOKEN)];
    };
    const failing = () =>
      hostile.use((req, res) => {
        const echoed = `${encode(String(req.headers['x-api-key']))} ${encode(String(req.headers.authorization).replace(/^Bearer /, ''))}`;
        const body = req.method === 'POST'
          ? { id: EXEC, status: 'Running', percentage: 0 }
          : req.url?.includes('/progress')
            ? { id: EXEC, status: 'Error', percentage: 100, message: `Rejected credentials ${echoed}` }
            : { id: EXEC, status: 'Error', state: { report: [{ message: `header ${echoed}` }] } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });

    it('in an error body (SmartFlowsHttpError.body)', async () => {
      echo(401, (key, auth) => `<p>Invalid key ${encode(key)}; token ${encode(auth.replace(/^Bearer /, ''))}; Basic ${Buffer.from(`ada:${key}`).toString('base64')}</p>`);
      const e = await errorOf(`echo 401 ${encoding}`, withBoth(hostile.url).getProgress(EXEC));
      expect(leaks(e)).toEqual([]);
    });

    it('in the 2xx message of a failed flow (FlowExecutionError message, progress and execution)', async () => {
      failing();
      const e = await errorOf(`failed flow ${encoding}`, withBoth(hostile.url).run(flows.Success.id, '<Letter/>'));
      expect(e.name).toBe('FlowExecutionError');
      expect(e.message).toContain('[redacted]');
      expect(leaks(e)).toEqual([]);
    });

    it('in batch snapshots (outcome.error.message and the item error)', async () => {
      failing();
      const snapshots = await lastValueFrom(withBoth(hostile.url).runBatch([{ flowId: flows.Success.id, input: '<Letter/>' }]).pipe(toArray()));
      expect(snapshots.at(-1)).toMatchObject({ done: true, failed: 1 });
      expect(leaks(snapshots)).toEqual([]);
      expect(leaks(snapshots.at(-1)!.items[0]!.error)).toEqual([]);
    });
  });

  it('a 200 whose body is the echoed credentials, not JSON (SmartFlowsResponseError and its SyntaxError cause)', async () => {
    echo(200, (key) => key);
    await errorOf('echo 200 key body', withKey(hostile.url).getProgress(EXEC));
    echo(200, (_key, auth) => auth);
    await errorOf('echo 200 token body', withToken(hostile.url).getProgress(EXEC));
  });

  it('every other call against a server that echoes the credentials in 4xx/5xx bodies', async () => {
    echo(404, (key, auth) => `{"message":"not found for ${key} ${auth}"}`, { 'content-type': 'application/json' });
    const c = withBoth(hostile.url);
    await errorOf('cancel 404 (both spellings)', c.cancelExecution(EXEC));
    await errorOf('document 404', c.getDocument(EXEC));
    await errorOf('download 404', c.downloadDocument(EXEC));
    await errorOf('listing 404', c.listExecutions({ flowId: flows.Success.id }));
    echo(400, (key) => `bad form for ${key}`);
    await errorOf('user input 400', c.submitUserInput(EXEC, { approved: true }));
    echo(503, (key) => `busy ${key}`, { 'retry-after': '0' });
    await errorOf('start 503 after retries', c.startExecution(flows.Success.id, '<Letter/>'));
  });

  it('connection refused, reset, and no answer (SmartFlowsNetworkError, SmartFlowsTimeoutError)', async () => {
    const closed = await startHostileServer();
    const url = closed.url;
    await closed.close();
    await errorOf('refused', withBoth(url).getProgress(EXEC));
    hostile.use((req) => req.socket.destroy());
    await errorOf('reset', withBoth(hostile.url).getProgress(EXEC));
    hostile.use(() => undefined);
    // The one case meant to time out: elsewhere a busy machine's slow answer must not (CI on Node 24 saw a 300 ms limit cut a 401).
    await errorOf('request timeout', withBoth(hostile.url, SHORT_LIMIT).getProgress(EXEC));
  });

  it('a flow that ends in Error, a run past its timeoutMs, a failFast batch (FlowExecutionError, SmartFlowsTimeoutError, SmartFlowsBatchError)', async () => {
    const ok = new SmartFlowsClient({ baseUrl: simulator.url, apiKey: 'the-server-key', fetch: spy.fetch, ...fast });
    // Only the scan matters here; the key in use is the server's, so plant the secrets nearby.
    const e = await errorOf('flow Error', ok.run(flows.Error.id, '<Letter/>'));
    expect(e.name).toBe('FlowExecutionError');
    hostile.use((req, res) =>
      req.method === 'POST'
        ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: EXEC, status: 'Running', percentage: 0 }))
        : res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: EXEC, status: 'Running', percentage: 10 })),
    );
    await errorOf('run timeout', withBoth(hostile.url).run(flows.Success.id, '<Letter/>', { timeoutMs: 100 }));
    await errorOf('batch failFast', withBoth(simulator.url).runBatch([{ flowId: flows.Success.id, input: '<Letter/>' }], { failFast: true }));
  });

  it('a redirect whose Location carries the key: the error names the URL the client built, not the Location', async () => {
    hostile.use((req, res) =>
      req.url?.includes('/login')
        ? res.writeHead(401, { 'content-type': 'text/plain' }).end('no')
        : res.writeHead(302, { location: `/login?apiKey=${encodeURIComponent(String(req.headers['x-api-key']))}` }).end(),
    );
    // Its own spy: the server, not the client, wrote the key into that URL (same origin, which had it).
    const own = countingFetch();
    const e = await errorOf('redirect with key in Location', withKey(hostile.url, { fetch: own.fetch }).getProgress(EXEC));
    expect(e).toMatchObject({ status: 401 });
    expect(own.calls.map((c) => new URL(c.url).pathname)).toContain('/login');
  });

  it('a bearerToken function that gives no token, a bad one, or fails (SmartFlowsAuthError)', async () => {
    const bad: FetchLike = spy.fetch;
    const errors = [
      await errorOf('token fn empty', new SmartFlowsClient({ baseUrl: simulator.url, bearerToken: () => '', fetch: bad, ...fast }).getProgress(EXEC)),
      await errorOf('token fn with newline', new SmartFlowsClient({ baseUrl: simulator.url, bearerToken: () => `${SECRET_BEARER_TOKEN}\n`, fetch: bad, ...fast }).getProgress(EXEC)),
      // An auth server that is down.
      await errorOf('token fn rejects', new SmartFlowsClient({ baseUrl: simulator.url, bearerToken: () => Promise.reject(new Error('auth server down')), fetch: bad, ...fast }).getProgress(EXEC)),
    ];
    expect(errors.map((e) => e.name)).toEqual(['SmartFlowsAuthError', 'SmartFlowsAuthError', 'SmartFlowsAuthError']);
  });

  it('errors of bad options never quote the secrets', () => {
    for (const options of [
      { baseUrl: `https://h/?apiKey=${SECRET_API_KEY}`, apiKey: SECRET_API_KEY },
      { baseUrl: `https://user:${SECRET_PASSWORD}@h`, apiKey: SECRET_API_KEY },
      { baseUrl: 'http://flows.example.com', apiKey: SECRET_API_KEY },
      { baseUrl: 'https://h', apiKey: `${SECRET_API_KEY} ` },
      { baseUrl: 'https://h', bearerToken: `${SECRET_BEARER_TOKEN}\r\n` },
    ]) {
      let error: unknown;
      try {
        new SmartFlowsClient(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SmartFlowsInputError);
      produced.push(['options', error]);
      expect(scanForSecrets(error)).toEqual([]);
    }
  });

  it('a login answer echoing the password (plain, JSON-escaped, URL-encoded)', async () => {
    hostile.use((_req, res) =>
      res.writeHead(401, { 'content-type': 'application/json' }).end(`{"received":${JSON.stringify({ username: 'ada', password: SECRET_PASSWORD })},"form":"password=${encodeURIComponent(SECRET_PASSWORD)}","raw":"${SECRET_PASSWORD}"}`),
    );
    const e = await errorOf('login echo', withKey(hostile.url).login({ username: 'ada', password: SECRET_PASSWORD }));
    expect(e).toMatchObject({ status: 401 });
    expect((e as unknown as { body: string }).body).toContain('[redacted]');
  });

  it('the client, its options, events, batch snapshots and their errors print and serialize without a secret', async () => {
    const clients = {
      'api key': withKey(accepting.url),
      'api key and bearer token': withBoth(accepting.url),
      'bearer token function': new SmartFlowsClient({ baseUrl: accepting.url, apiKey: SECRET_API_KEY, bearerToken: async () => SECRET_BEARER_TOKEN, fetch: spy.fetch, ...fast }),
      withLogin: SmartFlowsClient.withLogin({ baseUrl: accepting.url, fetch: spy.fetch, ...fast }, { username: 'ada', password: SECRET_PASSWORD }),
    };
    for (const [label, client] of Object.entries(clients)) {
      const events = await lastValueFrom(client.run(flows.Success.id, '<Letter/>').pipe(toArray()));
      expect([label, events.at(-1)?.type]).toEqual([label, 'output']);
      const snapshots = await lastValueFrom(
        client.runBatch([{ flowId: flows.Success.id, input: '<Letter/>' }, { flowId: flows.Error.id, input: '<Letter/>' }]).pipe(toArray()),
      );
      expect([label, snapshots.at(-1)]).toMatchObject([label, { done: true, succeeded: 1, failed: 1 }]);
      for (const [what, value] of [['client', client], ['client.options', client.options], ['events', events], ['snapshots', snapshots], ['batch error', snapshots.at(-1)!.items[1]!.error]] as const) {
        expect([`${label}: ${what}`, scanForSecrets(value)]).toEqual([`${label}: ${what}`, []]);
      }
    }
  });

  it('no request URL ever carried a secret', () => {
    expect(spy.calls.length).toBeGreaterThan(20);
    expect(spy.calls.filter((c) => holdsSecret(c.url)).map((c) => c.url)).toEqual([]);
  });

  it('across every error of this file, nothing leaked', () => {
    expect(produced.length).toBeGreaterThanOrEqual(25);
    expect(produced.filter(([, e]) => secretLeaks(e).length > 0).map(([label, e]) => `${label}: ${secretLeaks(e).join(', ')}`)).toEqual([]);
  });
});

describe('plain http:// is refused unless loopback or allowInsecureHttp', () => {
  it.each([
    'http://flows.example.com',
    'http://flows.example.com:8080/smartflows',
    'http://10.0.0.5',
    'http://192.168.1.20:8443',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'http://0.0.0.0:8080',
    'http://[::ffff:127.0.0.1]',
  ])('refuses %s with SmartFlowsInputError (the key would travel in clear)', (baseUrl) => {
    expect(() => new SmartFlowsClient({ baseUrl, apiKey: SECRET_API_KEY })).toThrow(SmartFlowsInputError);
    expect(() => new SmartFlowsClient({ baseUrl, bearerToken: SECRET_BEARER_TOKEN })).toThrow(/allowInsecureHttp/);
  });

  it.each(['http://flows.example.com', 'http://10.0.0.5'])('accepts %s with allowInsecureHttp: true', (baseUrl) => {
    expect(new SmartFlowsClient({ baseUrl, apiKey: SECRET_API_KEY, allowInsecureHttp: true }).options.apiRoot).toBe(`${baseUrl}/api/v1`);
  });

  it.each(['http://localhost:8080', 'http://127.0.0.1', 'http://127.1.2.3:9', 'http://[::1]:8443', 'https://flows.example.com'])(
    'accepts %s without it (loopback never leaves the machine; https is encrypted)',
    (baseUrl) => {
      expect(() => new SmartFlowsClient({ baseUrl, apiKey: SECRET_API_KEY })).not.toThrow();
    },
  );
});
