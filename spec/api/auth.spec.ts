import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { asyncScheduler, firstValueFrom, forkJoin, of, type SchedulerLike } from 'rxjs';
import { SmartFlowsClient, SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsResponseError } from '../../lib/index';
import { EXEC_ID } from '../helpers/progress';
import { API, BASE, testClient, useMswServer, wire } from '../helpers/mswApi';

const server = useMswServer();

interface Seen {
  authorization: string | null;
  apiKey: string | null;
}

/** A progress route that accepts only the tokens in `valid`, recording the auth headers. */
function guardedProgress(valid: Set<string>) {
  const seen: Seen[] = [];
  server.use(
    http.get(`${API}/flows/executions/:id/progress`, ({ request }) => {
      const authorization = request.headers.get('authorization');
      seen.push({ authorization, apiKey: request.headers.get('x-api-key') });
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      return valid.has(token) ? HttpResponse.json(wire('Running', 10)) : HttpResponse.json({ message: 'Unauthorized' }, { status: 401 });
    }),
  );
  return seen;
}

/** A login route issuing `tok-1`, `tok-2`, … and recording each body and its headers. */
function loginServer(valid: Set<string>, answer?: (n: number) => unknown) {
  const logins: { body: unknown; authorization: string | null; apiKey: string | null }[] = [];
  server.use(
    http.post(`${API}/authenticate/login`, async ({ request }) => {
      const body = (await request.json()) as { password?: string };
      logins.push({ body, authorization: request.headers.get('authorization'), apiKey: request.headers.get('x-api-key') });
      if (body.password !== 'secret') return HttpResponse.json({ message: 'Bad credentials' }, { status: 401 });
      const token = `tok-${logins.length}`;
      valid.add(token);
      return HttpResponse.json((answer?.(logins.length) ?? { tokens: [{ token, scope: 'api', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }] }) as never);
    }),
  );
  return logins;
}

describe('bearerToken', () => {
  it('sends a string token as Authorization: Bearer', async () => {
    const seen = guardedProgress(new Set(['abc']));
    await firstValueFrom(testClient({ apiKey: undefined, bearerToken: 'abc' }).getProgress(EXEC_ID));
    expect(seen).toEqual([{ authorization: 'Bearer abc', apiKey: null }]);
  });

  it.each([
    ['sync', (t: string) => () => t],
    ['Promise', (t: string) => () => Promise.resolve(t)],
    ['Observable', (t: string) => () => of(t)],
  ])('asks a %s token function before each request', async (_, make) => {
    const seen = guardedProgress(new Set(['t1', 't2']));
    let asked = 0;
    const inner = ['t1', 't2'];
    const client = testClient({ apiKey: undefined, bearerToken: () => make(inner[asked++]!)() as never });
    await firstValueFrom(client.getProgress(EXEC_ID));
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(asked).toBe(2);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('after a 401, asks a token function once for a fresh token (forceRefresh) and sends once more', async () => {
    const seen = guardedProgress(new Set(['fresh']));
    const calls: unknown[] = [];
    const token = (context?: { forceRefresh?: boolean }) => {
      calls.push(context);
      return context?.forceRefresh ? 'fresh' : 'stale';
    };
    const progress = await firstValueFrom(testClient({ apiKey: undefined, bearerToken: token }).getProgress(EXEC_ID));
    expect(progress.status).toBe('Running');
    expect(calls).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('gives up with the 401 when the fresh token is refused too: two requests, no loop', async () => {
    const seen = guardedProgress(new Set());
    let asked = 0;
    const error = await firstValueFrom(testClient({ apiKey: undefined, bearerToken: () => `t${++asked}` }).getProgress(EXEC_ID)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect((error as SmartFlowsHttpError).status).toBe(401);
    expect(seen).toHaveLength(2);
    expect(JSON.stringify(error)).not.toContain('t1');
  });

  it.each([
    ['a string token', { apiKey: undefined, bearerToken: 'abc' }],
    ['an API key', {}],
  ])('does not send again after a 401 with %s', async (_, options) => {
    const seen = guardedProgress(new Set());
    await expect(firstValueFrom(testClient(options).getProgress(EXEC_ID))).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(1);
  });
});

describe('login', () => {
  it('POSTs the credentials without the client\'s own credentials and gives tokens[0].token', async () => {
    const logins = loginServer(new Set());
    const token = await firstValueFrom(testClient().login({ username: 'ada', password: 'secret', loginContext: 'acme' }));
    expect(token).toBe('tok-1');
    expect(logins).toEqual([{ body: { username: 'ada', password: 'secret', loginContext: 'acme' }, authorization: null, apiKey: null }]);
  });

  it('errors with SmartFlowsHttpError 401 on bad credentials, without a retry', async () => {
    const logins = loginServer(new Set());
    await expect(firstValueFrom(testClient().login({ username: 'ada', password: 'wrong' }))).rejects.toMatchObject({ name: 'SmartFlowsHttpError', status: 401 });
    expect(logins).toHaveLength(1);
  });

  it.each([[{}], [{ tokens: [] }], [{ tokens: [{ token: '' }] }], [{ token: 'flat' }]])('errors with SmartFlowsResponseError for the answer %j', async (answer) => {
    loginServer(new Set(), () => answer);
    await expect(firstValueFrom(testClient().login({ username: 'ada', password: 'secret' }))).rejects.toBeInstanceOf(SmartFlowsResponseError);
  });

  it.each([
    [{ username: '', password: 'x' }],
    [{ username: 'ada' }],
    [{ username: 'ada', password: 'x', loginContext: 3 }],
    [null],
  ])('refuses %j before any request', async (credentials) => {
    const logins = loginServer(new Set());
    await expect(firstValueFrom(testClient().login(credentials as never))).rejects.toBeInstanceOf(SmartFlowsInputError);
    expect(logins).toEqual([]);
  });
});

describe('SmartFlowsClient.withLogin', () => {
  const options = {
    baseUrl: BASE,
    polling: { intervalMs: 1, maxIntervalMs: 5 },
    retry: { delayMs: 1, jitter: false },
  };

  it('logs in before the first request, then reuses the token', async () => {
    const valid = new Set<string>();
    const seen = guardedProgress(valid);
    const logins = loginServer(valid);
    const client = SmartFlowsClient.withLogin(options, { username: 'ada', password: 'secret' });
    expect(logins).toEqual([]);
    await firstValueFrom(client.getProgress(EXEC_ID));
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(logins).toHaveLength(1);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });

  it('shares one login between concurrent requests', async () => {
    const valid = new Set<string>();
    guardedProgress(valid);
    const logins = loginServer(valid);
    const client = SmartFlowsClient.withLogin(options, { username: 'ada', password: 'secret' });
    await firstValueFrom(forkJoin([client.getProgress(EXEC_ID), client.getProgress(EXEC_ID), client.getProgress(EXEC_ID)]));
    expect(logins).toHaveLength(1);
  });

  it('logs in again when the server refuses the token (401), and retries once', async () => {
    const valid = new Set<string>();
    const seen = guardedProgress(valid);
    const logins = loginServer(valid);
    const client = SmartFlowsClient.withLogin(options, { username: 'ada', password: 'secret' });
    await firstValueFrom(client.getProgress(EXEC_ID));
    valid.delete('tok-1'); // the server forgot it (restart, revocation)
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(logins).toHaveLength(2);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('logs in again before a request once the token is about to expire', async () => {
    const valid = new Set<string>();
    guardedProgress(valid);
    let now = Date.parse('2030-01-01T00:00:00Z');
    const scheduler: SchedulerLike = { now: () => now, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const logins = loginServer(valid, (n) => ({ tokens: [{ token: `tok-${n}`, expiresAt: new Date(now + 3_600_000).toISOString() }] }));
    const client = SmartFlowsClient.withLogin({ ...options, scheduler }, { username: 'ada', password: 'secret' });
    await firstValueFrom(client.getProgress(EXEC_ID));
    now += 60_000;
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(logins).toHaveLength(1);
    now += 3_600_000 - 60_000 - 10_000; // 10 s before expiry
    await firstValueFrom(client.getProgress(EXEC_ID));
    expect(logins).toHaveLength(2);
  });

  it('errors the request with the login\'s 401 on bad credentials', async () => {
    const seen = guardedProgress(new Set());
    const logins = loginServer(new Set());
    const client = SmartFlowsClient.withLogin(options, { username: 'ada', password: 'wrong' });
    await expect(firstValueFrom(client.getProgress(EXEC_ID))).rejects.toMatchObject({ name: 'SmartFlowsHttpError', status: 401 });
    // Logging in again with the same wrong password would not help.
    expect(logins).toHaveLength(1);
    expect(seen).toEqual([]);
  });

  it('refuses bad credentials and a bearerToken at once', () => {
    expect(() => SmartFlowsClient.withLogin(options, { username: 'ada', password: '' })).toThrow(SmartFlowsInputError);
    expect(() => SmartFlowsClient.withLogin({ ...options, bearerToken: 'x' } as never, { username: 'ada', password: 'p' })).toThrow(SmartFlowsInputError);
  });
});
