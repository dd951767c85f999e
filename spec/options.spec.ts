import { describe, expect, it } from '@jest/globals';
import { asyncScheduler, firstValueFrom, queueScheduler } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { DEFAULTS, MAX_TIMER_MS, normalizeOptions, type SmartFlowsClientOptions, splitOptions } from '../lib/options';
import { SmartFlowsInputError } from '../lib/errors';
import { SmartFlowsClient } from '../lib/client';
import { useVirtualSimulator } from './helpers/virtualSimulator';

const base: SmartFlowsClientOptions = { baseUrl: 'https://flows.example.com', apiKey: 'key-123' };
const withOptions = (extra: Record<string, unknown>) => ({ ...base, ...extra }) as SmartFlowsClientOptions;

/** The SmartFlowsInputError that normalizeOptions throws (fails the test if it does not). */
function refusal(options: unknown): SmartFlowsInputError {
  try {
    normalizeOptions(options as SmartFlowsClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    return error as SmartFlowsInputError;
  }
  throw new Error('expected normalizeOptions to refuse the options');
}

describe('normalizeOptions', () => {
  it('fills every default', () => {
    const n = normalizeOptions(base);
    expect(n).toEqual({
      apiRoot: 'https://flows.example.com/api/v1',
      apiKey: 'key-123',
      polling: DEFAULTS.polling,
      retry: DEFAULTS.retry,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      maxDownloadBytes: DEFAULTS.maxDownloadBytes,
      scheduler: asyncScheduler,
      endpointStyle: 'sdk',
    });
  });

  it('documents the defaults in one place', () => {
    expect(DEFAULTS).toEqual({
      polling: { intervalMs: 900, maxIntervalMs: 3000, idleIntervalMs: 5000, timeoutMs: 0, unknownStatusTimeoutMs: 600_000, waitSeconds: 'auto', pauseWhenHidden: true },
      retry: { maxRetries: 4, delayMs: 500, maxDelayMs: 30_000, jitter: true },
      requestTimeoutMs: 30_000,
      maxDownloadBytes: 100 * 1024 * 1024,
    });
  });

  it('keeps what was given over the defaults', () => {
    const fetch = async () => new Response('{}');
    const n = normalizeOptions({
      ...base,
      bearerToken: 'tok',
      fetch,
      scheduler: queueScheduler,
      polling: { intervalMs: 10, maxIntervalMs: 20, idleIntervalMs: 30, timeoutMs: 40, unknownStatusTimeoutMs: 50, waitSeconds: 5 },
      retry: { maxRetries: 0, delayMs: 1, maxDelayMs: 2, jitter: false },
      requestTimeoutMs: 99,
      endpointStyle: 'guide',
    });
    expect(n).toMatchObject({
      bearerToken: 'tok',
      fetch,
      scheduler: queueScheduler,
      polling: { intervalMs: 10, maxIntervalMs: 20, idleIntervalMs: 30, timeoutMs: 40, unknownStatusTimeoutMs: 50, waitSeconds: 5 },
      retry: { maxRetries: 0, delayMs: 1, maxDelayMs: 2, jitter: false },
      requestTimeoutMs: 99,
      endpointStyle: 'guide',
    });
  });

  it('raises the maxIntervalMs and idleIntervalMs defaults to a larger intervalMs', () => {
    const n = normalizeOptions(withOptions({ polling: { intervalMs: 10_000 } }));
    expect(n.polling).toMatchObject({ intervalMs: 10_000, maxIntervalMs: 10_000, idleIntervalMs: 10_000 });
  });

  it('raises the maxDelayMs default to a larger retry.delayMs', () => {
    expect(normalizeOptions(withOptions({ retry: { delayMs: 60_000 } })).retry.maxDelayMs).toBe(60_000);
  });

  it('clamps delays at 2^31-1 ms, where Node timers fire at once', () => {
    expect(normalizeOptions(withOptions({ retry: { maxDelayMs: 1e12 } })).retry.maxDelayMs).toBe(MAX_TIMER_MS);
  });

  it.each([
    ['https://flows.example.com', 'https://flows.example.com/api/v1'],
    ['https://flows.example.com/', 'https://flows.example.com/api/v1'],
    ['https://flows.example.com:8443', 'https://flows.example.com:8443/api/v1'],
    ['https://example.com/smart-flows', 'https://example.com/smart-flows/api/v1'],
    ['https://example.com/smart-flows//', 'https://example.com/smart-flows/api/v1'],
    ['https://flows.example.com/api/v1', 'https://flows.example.com/api/v1'],
    ['https://flows.example.com/api/v1/', 'https://flows.example.com/api/v1'],
    ['https://example.com/prefix/api/v1', 'https://example.com/prefix/api/v1'],
    ['HTTPS://Flows.Example.COM', 'https://flows.example.com/api/v1'],
    ['http://localhost:3000', 'http://localhost:3000/api/v1'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/api/v1'],
    ['http://[::1]:3000', 'http://[::1]:3000/api/v1'],
  ])('turns baseUrl %s into the API root %s', (baseUrl, apiRoot) => {
    expect(normalizeOptions({ ...base, baseUrl }).apiRoot).toBe(apiRoot);
  });

  it('allows plain http to another host only with allowInsecureHttp', () => {
    expect(refusal({ ...base, baseUrl: 'http://flows.example.com' }).message).toMatch(/plain http:\/\/.*allowInsecureHttp/);
    expect(normalizeOptions({ ...base, baseUrl: 'http://flows.example.com', allowInsecureHttp: true }).apiRoot).toBe('http://flows.example.com/api/v1');
  });

  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /needs an options object/],
    ['an array', [], /needs an options object/],
    ['a missing baseUrl', { apiKey: 'k' }, /baseUrl is required/],
    ['an empty baseUrl', { ...base, baseUrl: '' }, /baseUrl is required/],
    ['a blank baseUrl', { ...base, baseUrl: '   ' }, /baseUrl is required/],
    ['a baseUrl that is not a string', { ...base, baseUrl: 42 }, /baseUrl is required/],
    ['a relative baseUrl', { ...base, baseUrl: '/smart-flows' }, /absolute URL/],
    ['a baseUrl without scheme', { ...base, baseUrl: 'flows.example.com' }, /absolute URL/],
    ['an unparsable baseUrl', { ...base, baseUrl: 'https://exa mple.com:99999' }, /absolute URL/],
    ['an ftp: baseUrl', { ...base, baseUrl: 'ftp://flows.example.com' }, /https: or http:, got ftp:/],
    ['a file: baseUrl', { ...base, baseUrl: 'file:///etc/passwd' }, /https: or http:/],
    ['a baseUrl with credentials', { ...base, baseUrl: 'https://user:pw@flows.example.com' }, /must not hold credentials/],
    ['a baseUrl with a query', { ...base, baseUrl: 'https://flows.example.com/?tenant=1' }, /query or fragment/],
    ['neither apiKey nor bearerToken', { baseUrl: 'https://flows.example.com' }, /either apiKey or bearerToken is required/],
    ['an empty apiKey', { ...base, apiKey: '' }, /apiKey must be/],
    ['an apiKey with a newline', { ...base, apiKey: 'k\r\nX-Evil: 1' }, /apiKey must be/],
    ['an apiKey that is not a string', { ...base, apiKey: 123 }, /apiKey must be/],
    ['an empty bearerToken', { baseUrl: 'https://x.test', bearerToken: '' }, /bearerToken must be/],
    ['a bearerToken object', { baseUrl: 'https://x.test', bearerToken: {} }, /bearerToken must be/],
    ['fetch that is not a function', { ...base, fetch: 'fetch' }, /fetch must be a function/],
    ['a scheduler without schedule()', { ...base, scheduler: {} }, /scheduler must be an RxJS SchedulerLike/],
    ['polling that is not an object', { ...base, polling: 5 }, /polling must be an object/],
    ['retry that is not an object', { ...base, retry: [] }, /retry must be an object/],
    ['a negative intervalMs', { ...base, polling: { intervalMs: -1 } }, /polling.intervalMs must be at least 1, got -1/],
    ['a zero intervalMs (a request storm)', { ...base, polling: { intervalMs: 0 } }, /polling.intervalMs must be at least 1/],
    ['a string intervalMs', { ...base, polling: { intervalMs: '250' } }, /polling.intervalMs must be a number, got string/],
    ['a NaN intervalMs', { ...base, polling: { intervalMs: NaN } }, /polling.intervalMs must be a number/],
    ['an infinite maxIntervalMs', { ...base, polling: { maxIntervalMs: Infinity } }, /polling.maxIntervalMs must be finite/],
    ['a negative maxIntervalMs', { ...base, polling: { maxIntervalMs: -5 } }, /polling.maxIntervalMs must be at least/],
    ['maxIntervalMs below intervalMs', { ...base, polling: { intervalMs: 500, maxIntervalMs: 100 } }, /polling.maxIntervalMs \(100\) must not be below polling.intervalMs \(500\)/],
    ['a negative idleIntervalMs', { ...base, polling: { idleIntervalMs: -1 } }, /polling.idleIntervalMs must be at least/],
    ['a negative timeoutMs', { ...base, polling: { timeoutMs: -1 } }, /polling.timeoutMs must be at least 0/],
    ['a negative unknownStatusTimeoutMs', { ...base, polling: { unknownStatusTimeoutMs: -1 } }, /polling.unknownStatusTimeoutMs must be at least 0/],
    ['a fractional waitSeconds', { ...base, polling: { waitSeconds: 1.5 } }, /polling.waitSeconds must be a whole number/],
    ['a waitSeconds word other than auto', { ...base, polling: { waitSeconds: 'always' } }, /polling.waitSeconds must be a whole number of seconds or 'auto', got 'always'/],
    ['a negative waitSeconds', { ...base, polling: { waitSeconds: -1 } }, /polling.waitSeconds must be at least 0/],
    ['a waitSeconds word other than auto', { ...base, polling: { waitSeconds: 'always' } }, /polling.waitSeconds must be a whole number of seconds or 'auto', got 'always'/],
    ['a negative waitSeconds', { ...base, polling: { waitSeconds: -1 } }, /polling.waitSeconds must be at least 0/],
    ['a negative maxRetries', { ...base, retry: { maxRetries: -1 } }, /retry.maxRetries must be at least 0/],
    ['a fractional maxRetries', { ...base, retry: { maxRetries: 2.5 } }, /retry.maxRetries must be a whole number/],
    ['an infinite maxRetries', { ...base, retry: { maxRetries: Infinity } }, /retry.maxRetries must be/],
    ['a string delayMs', { ...base, retry: { delayMs: 'fast' } }, /retry.delayMs must be a number/],
    ['a string pauseWhenHidden', { ...base, polling: { pauseWhenHidden: 'no' } }, /polling.pauseWhenHidden must be true or false/],
    ['a string jitter', { ...base, retry: { jitter: 'yes' } }, /retry.jitter must be true or false/],
    ['a zero requestTimeoutMs', { ...base, requestTimeoutMs: 0 }, /requestTimeoutMs must be at least 1/],
    ['a fractional maxDownloadBytes', { ...base, maxDownloadBytes: 1.5 }, /maxDownloadBytes must be a whole number of bytes ≥ 1/],
    ['an unknown endpointStyle', { ...base, endpointStyle: 'v2' }, /endpointStyle must be 'sdk' or 'guide'/],
  ])('refuses %s with SmartFlowsInputError', (_, options, message) => {
    expect(refusal(options).message).toMatch(message);
  });

  it('never puts the API key in a validation message', () => {
    const key = 'sk-live-abcdef';
    for (const options of [
      { baseUrl: 'ftp://x', apiKey: key },
      { baseUrl: 'https://x.test', apiKey: key, polling: { intervalMs: -1 } },
      { baseUrl: 'https://x.test', apiKey: `${key} with space` },
    ]) {
      const error = refusal(options);
      expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(key);
    }
  });
});

describe('client.options', () => {
  const start = useVirtualSimulator();

  it('cannot be changed after validation: a poll loop keeps the validated cadence', async () => {
    // A server that never holds: the cadence alone sets the count (timeout=1 may be held 1 s).
    const sim = start({ progressHold: { mode: 'ignore', defaultSeconds: 0 } });
    const client = sim.client({ polling: { intervalMs: 200, maxIntervalMs: 200, idleIntervalMs: 200, waitSeconds: 0 } });
    const mutable = client.options as unknown as { polling: Record<string, number> };
    try {
      // What a careless caller does (validation refuses 0); a frozen view throws a TypeError in strict mode.
      Object.assign(mutable.polling, { intervalMs: 0, maxIntervalMs: 0, idleIntervalMs: 0 });
    } catch {
      // refused
    }
    const id = (await firstValueFrom(client.startExecution(builtInFlows.long.id, '<Letter><To>Ann</To></Letter>'))).id;
    const watching = client.watch(id).subscribe({ error: () => undefined });
    await sim.advance(2_000);
    watching.unsubscribe();
    // One poll per 200 ms of virtual time, give or take the first.
    expect(sim.progressCalls(id)).toBeLessThanOrEqual(11);
    expect(sim.progressCalls(id)).toBeGreaterThanOrEqual(5);
  });

  it('is frozen all the way down and holds no credentials', () => {
    const client = new SmartFlowsClient({ ...base, bearerToken: 'tok' });
    expect(Object.isFrozen(client.options)).toBe(true);
    expect(Object.isFrozen(client.options.polling)).toBe(true);
    expect(Object.isFrozen(client.options.retry)).toBe(true);
    expect(Object.keys(client.options)).not.toContain('apiKey');
    expect(Object.keys(client.options)).not.toContain('bearerToken');
    expect(client.options).toMatchObject({ apiRoot: 'https://flows.example.com/api/v1', polling: DEFAULTS.polling, retry: DEFAULTS.retry });
  });

  it('is a copy: changing the options object given to the constructor changes nothing', () => {
    const given = { ...base, polling: { intervalMs: 100 } };
    const client = new SmartFlowsClient(given);
    given.polling.intervalMs = 1;
    expect(client.options.polling.intervalMs).toBe(100);
  });

  it('keeps DEFAULTS frozen, so no client can change the defaults of the next', () => {
    expect(Object.isFrozen(DEFAULTS.polling)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.retry)).toBe(true);
  });
});

describe('splitOptions', () => {
  it('gives each layer only what it needs, and the credentials to none but http', () => {
    const token = () => 'tok';
    const parts = splitOptions(normalizeOptions({ ...base, bearerToken: token, requestTimeoutMs: 99, endpointStyle: 'guide' }));
    expect(parts.credentials).toEqual({ apiKey: 'key-123', bearerToken: token });
    expect(Object.keys(parts.http).sort()).toEqual(['apiRoot', 'maxDownloadBytes', 'requestTimeoutMs', 'retry', 'scheduler']);
    expect(parts.api).toEqual({ endpointStyle: 'guide' });
    expect(Object.keys(parts.execution).sort()).toEqual(['polling', 'scheduler']);
    for (const part of [parts.http, parts.api, parts.execution, parts.view]) {
      expect(Object.isFrozen(part)).toBe(true);
      expect(JSON.stringify(part)).not.toContain('key-123');
      expect(Object.values(part)).not.toContain(token);
    }
  });
});
