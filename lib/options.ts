import type { TrackerOptions } from './tracker/trackerOptions';
import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import type { XmlConverter } from './api/prepareInput';
import { SmartFlowsInputError } from './errors';
import { type SecretBook, secretBook } from './internal/secretBook';

/** A WHATWG fetch function (global fetch, cross-fetch, a test double…). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A bearer token, or a function asked for one before each request. */
export type TokenSource =
  | string
  /** Asked before each request; `forceRefresh` is true once after a 401: give a new token then. */
  | ((context: { forceRefresh: boolean }) => string | Promise<string> | Observable<string>);

/** How progress is polled. */
export interface PollingOptions {
  /** Shortest delay between two polls (also the first poll's delay); at least 1. @default 900 */
  intervalMs?: number;
  /** Longest delay between two polls, used while the predicted end is far. @default 3000 */
  maxIntervalMs?: number;
  /** Delay while the execution waits for a person or an event (UserInput, SelectFlow, Waiting). @default 5000 */
  idleIntervalMs?: number;
  /** Bound on the whole execution, from subscription to the end; 0 = none. @default 0 */
  timeoutMs?: number;
  /**
   * Bound on a status this client does not know (`Unknown`, e.g. a server's `"Failed"`), which it
   * polls as running: an execution that reports one for longer than this, without a known status
   * in between, ends the stream with `SmartFlowsTimeoutError` (with its `executionId`; the
   * execution is not cancelled); 0 = none.
   * @default 600000 (10 minutes)
   */
  unknownStatusTimeoutMs?: number;
  /**
   * Long poll: asks the server to hold a progress call sent at once after an answer up to this
   * many seconds (sent as `timeout`; a call after a wait asks none); 0 = off (each call asks
   * `timeout=1`). `'auto'` asks 30 s and keeps long polling if the server holds (judged per
   * client by how long answers take), else falls back to the adaptive delay, and asks again 5
   * minutes later.
   * @default 'auto' in Node; 0 in a browser (HTTP/1.1 allows six connections per host)
   */
  waitSeconds?: number | 'auto';
  /** In a browser, pauses polling while the page is hidden or the browser offline, and polls at once when it is back. No effect in Node. @default true */
  pauseWhenHidden?: boolean;
}

/** How failed requests are retried. */
export interface RetryOptions {
  /** Consecutive failures retried before giving up (network errors, 408, 429, 5xx). @default 4 */
  maxRetries?: number;
  /** First backoff delay; doubles on each retry, with full jitter. @default 500 */
  delayMs?: number;
  /** Ceiling of one backoff delay, and of a server's Retry-After. @default 30000 */
  maxDelayMs?: number;
  /** Randomizes each backoff between 0 and its ceiling ("full jitter") so clients spread out. @default true */
  jitter?: boolean;
}

/** Options of `new SmartFlowsClient(options)`. */
export interface SmartFlowsClientOptions {
  /** Server root, e.g. `https://flows.example.com:8443`; `/api/v1` is appended. */
  baseUrl: string;
  /** Sent as `X-API-Key`. One of `apiKey` or `bearerToken` is required. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer …`; a function is asked before each request. */
  bearerToken?: TokenSource;
  /** Any WHATWG fetch. @default cross-fetch (in the browser build: the browser's fetch, which cross-fetch would give) */
  fetch?: FetchLike;
  /** How progress is polled: cadence, long poll, overall bound, pausing in hidden pages. @default see {@link DEFAULTS}.polling */
  polling?: PollingOptions;
  /** How failed requests are retried: count, backoff delays, jitter. @default see {@link DEFAULTS}.retry */
  retry?: RetryOptions;
  /**
   * Limit of one request (a progress call adds the hold it asks: `waitSeconds`, or 1 s): the wait for the answer's headers,
   * and for a download, the longest stall between two chunks of its body. @default 30000
   */
  requestTimeoutMs?: number;
  /** Largest document content `downloadDocument` reads (per download; its `maxBytes` overrides). @default 104857600 (100 MB) */
  maxDownloadBytes?: number;
  /** Scheduler for every timer (a `TestScheduler` in tests). @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** Allows `http://` to hosts other than loopback (the key would travel in clear). @default false */
  allowInsecureHttp?: boolean;
  /**
   * Turns object inputs into XML. Node loads `smart-flows-rx/xml` by itself when needed; in a
   * browser bundle pass it: `import { toXml } from 'smart-flows-rx/xml'`. @default the xml entry, loaded lazily
   */
  toXml?: XmlConverter;
  /** Where the server and the SDK disagree on a path; a 404/405 on one falls back once to the other. @default 'sdk' */
  endpointStyle?: 'sdk' | 'guide';
  /** The listing tracker of `tracking: 'listing'`: cycle, safety margin, debug events (see `TrackerOptions`). */
  tracker?: TrackerOptions;
}

/** Options after defaults were merged and values checked. */
export interface NormalizedOptions {
  apiRoot: string;
  apiKey?: string;
  bearerToken?: TokenSource;
  fetch?: FetchLike;
  toXml?: XmlConverter;
  polling: Required<PollingOptions>;
  retry: Required<RetryOptions>;
  requestTimeoutMs: number;
  maxDownloadBytes: number;
  scheduler: SchedulerLike;
  endpointStyle: 'sdk' | 'guide';
}

/**
 * The credentials: given to the http layer only (its auth headers), and kept in closures there,
 * never in a property of the client or of any object it gives.
 */
export interface Credentials {
  apiKey?: string;
  bearerToken?: TokenSource;
}

/** What the http layer gets: where to send, per-request time limit, retry policy, the scheduler for both. */
export interface HttpSettings {
  apiRoot: string;
  fetch?: FetchLike;
  requestTimeoutMs: number;
  /** Largest document content one download reads (`maxDownloadBytes`). */
  maxDownloadBytes: number;
  retry: Readonly<Required<RetryOptions>>;
  scheduler: SchedulerLike;
}

/**
 * What the API layer gets: which spelling of the paths that differ to try first, and the book
 * of the secrets in use, for redacting what servers echo of them in errors (the API layer
 * never sends them). It schedules no timer.
 */
export interface ApiSettings {
  endpointStyle: 'sdk' | 'guide';
  /** The secrets to hide in server text on error paths. @default none hidden */
  secrets?: SecretBook;
}

/** What the execution layer gets: the polling cadence and bounds, and the scheduler that times them. */
export interface ExecutionSettings {
  polling: Readonly<Required<PollingOptions>>;
  scheduler: SchedulerLike;
}

/**
 * `client.options`: the options after defaults were merged and values checked, frozen all the
 * way down (a change would be refused, and the client never reads this object back: each layer
 * got its own settings at construction). Holds no credentials.
 */
export interface ClientOptionsView {
  /** The checked `baseUrl` with `/api/v1` appended: the root every request path is put below. */
  readonly apiRoot: string;
  /** The `fetch` given in the options; absent when the default (cross-fetch or the browser's) is used. */
  readonly fetch?: FetchLike;
  /** The `toXml` given in the options; absent when the xml entry is loaded lazily as needed. */
  readonly toXml?: XmlConverter;
  /** The polling options, every field filled in from {@link DEFAULTS} where not given. */
  readonly polling: Readonly<Required<PollingOptions>>;
  /** The retry options, every field filled in from {@link DEFAULTS} where not given. */
  readonly retry: Readonly<Required<RetryOptions>>;
  /** The limit of one request, in ms (see {@link SmartFlowsClientOptions.requestTimeoutMs}). */
  readonly requestTimeoutMs: number;
  /** The largest document content one download reads, in bytes. */
  readonly maxDownloadBytes: number;
  /** The scheduler every timer of the client runs on. */
  readonly scheduler: SchedulerLike;
  /** Which spelling of the paths that differ is tried first (`'sdk'` unless given). */
  readonly endpointStyle: 'sdk' | 'guide';
}

/**
 * Splits validated options into what each layer needs. The timing rule: the http layer owns
 * request time (`requestTimeoutMs`, a long poll's hold added to it) and retry backoff (`retry`);
 * the execution layer owns polling time (`polling`, a run's `timeoutMs`); the API layer owns
 * no time. All of them time on the one `scheduler`. Only `http` gets the credentials.
 */
export function splitOptions(options: NormalizedOptions): {
  http: HttpSettings;
  credentials: Credentials;
  api: ApiSettings;
  execution: ExecutionSettings;
  view: ClientOptionsView;
} {
  const polling = Object.freeze({ ...options.polling });
  const retry = Object.freeze({ ...options.retry });
  const { apiRoot, fetch, toXml, requestTimeoutMs, maxDownloadBytes, scheduler, endpointStyle, apiKey, bearerToken } = options;
  // What servers echo of the secrets is redacted from errors (a token function's tokens are
  // noted as it gives them: see `notingTokens`). Not enumerable: no log or copy of the settings shows it.
  const secrets = secretBook([apiKey, typeof bearerToken === 'string' ? bearerToken : undefined]);
  return {
    http: Object.freeze({ apiRoot, ...(fetch ? { fetch } : {}), requestTimeoutMs, maxDownloadBytes, retry, scheduler }),
    credentials: Object.freeze({
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(bearerToken !== undefined ? { bearerToken } : {}),
    }),
    api: Object.freeze(Object.defineProperty({ endpointStyle } as ApiSettings, 'secrets', { value: secrets, enumerable: false })),
    execution: Object.freeze({ polling, scheduler }),
    view: Object.freeze({ apiRoot, ...(fetch ? { fetch } : {}), ...(toXml ? { toXml } : {}), polling, retry, requestTimeoutMs, maxDownloadBytes, scheduler, endpointStyle }),
  };
}

/** The defaults, in one place (docs/polling.md lists them); frozen, so no caller can change the next client's. */
export const DEFAULTS = Object.freeze({
  /** Defaults of {@link PollingOptions}. */
  polling: Object.freeze({
    /** Shortest delay between two polls (and the first poll's delay), in ms. */
    intervalMs: 900,
    /** Longest delay between two polls, used while the predicted end is far, in ms. */
    maxIntervalMs: 3000,
    /** Delay while the execution waits for a person or an event, in ms. */
    idleIntervalMs: 5000,
    /** Bound on the whole execution, in ms; 0 = none. */
    timeoutMs: 0,
    /** Bound on a status this client does not know, reported without a known one in between, in ms; 0 = none. */
    unknownStatusTimeoutMs: 600_000,
    /** Long poll: the hold each progress call asks, in seconds, or 'auto' (Node; a browser gets 0). */
    waitSeconds: 'auto',
    /** Whether polling pauses in a browser while the page is hidden or offline. */
    pauseWhenHidden: true,
  } as const),
  /** Defaults of {@link RetryOptions}. */
  retry: Object.freeze({
    /** Consecutive failures retried before giving up. */
    maxRetries: 4,
    /** First backoff delay, in ms; doubles on each retry. */
    delayMs: 500,
    /** Ceiling of one backoff delay and of a server's Retry-After, in ms. */
    maxDelayMs: 30_000,
    /** Whether each backoff is random between 0 and its ceiling ("full jitter"). */
    jitter: true,
  } as const),
  /** Limit of one request (headers; a download's longest stall between chunks), in ms. */
  requestTimeoutMs: 30_000,
  /** Largest document content one download reads: 100 MB. */
  maxDownloadBytes: 100 * 1024 * 1024,
} as const);

/**
 * Whether this runs in a browser page or worker. There HTTP/1.1 allows six connections per
 * host, and held polls would starve the page's other requests, so long polling is off unless
 * asked for.
 */
export function inBrowser(env: { document?: unknown; WorkerGlobalScope?: unknown } = globalThis as never): boolean {
  return typeof env.document !== 'undefined' || typeof env.WorkerGlobalScope !== 'undefined';
}

function waitSeconds(value: unknown): number | 'auto' {
  if (value === undefined) return inBrowser() ? 0 : DEFAULTS.polling.waitSeconds;
  if (value === 'auto') return value;
  if (typeof value === 'string') fail(`polling.waitSeconds must be a whole number of seconds or 'auto', got '${value}'`);
  return num(value, 'polling.waitSeconds', 0, { int: true });
}

/** Largest delay a JS timer keeps: above it Node fires at once (1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function fail(message: string): never {
  throw new SmartFlowsInputError(message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown, name: string, fallback: number, opts: { int?: boolean; min?: number } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) fail(`${name} must be a number, got ${typeof value}`);
  const min = opts.min ?? 0;
  if (value < min) fail(`${name} must be at least ${min}, got ${value}`);
  if (opts.int && !Number.isInteger(value)) fail(`${name} must be a whole number, got ${value}`);
  if (!Number.isFinite(value)) fail(`${name} must be finite`);
  return Math.min(value, MAX_TIMER_MS);
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(`${name} must be true or false`);
  return value;
}

function checkBaseUrl(raw: unknown, allowInsecureHttp: boolean): string {
  if (typeof raw !== 'string' || raw.trim() === '') fail('baseUrl is required, e.g. "https://flows.example.com"');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not quoted: an unparsable URL may hold a password or key (`https://user:p#ss@host`).
    fail(`baseUrl must be an absolute URL such as https://flows.example.com (got ${raw.length} characters that do not parse)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`baseUrl must use https: or http:, got ${url.protocol}`);
  if (url.username || url.password) fail('baseUrl must not hold credentials; use apiKey or bearerToken');
  if (url.search || url.hash) fail('baseUrl must not have a query or fragment');
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowInsecureHttp) {
    fail('baseUrl uses plain http:// to a host that is not loopback: the API key would travel in clear. Use https:// or set allowInsecureHttp: true');
  }
  const path = url.pathname.replace(/\/+$/, '');
  // Accept a baseUrl that already ends with /api/v1 rather than doubling it.
  const root = path.endsWith('/api/v1') ? path : `${path}/api/v1`;
  return `${url.origin}${root}`;
}

/** A byte limit: a whole number ≥ 1 (not clamped like a delay). */
export function checkMaxBytes(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(`${name} must be a whole number of bytes ≥ 1`);
  return value;
}

const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Merges the defaults into the client's options once and checks every value.
 * @throws SmartFlowsInputError for any bad value.
 */
export function normalizeOptions(options: SmartFlowsClientOptions): NormalizedOptions {
  if (!isPlainObject(options)) fail('SmartFlowsClient needs an options object with baseUrl and apiKey');
  const { apiKey, bearerToken } = options;
  if (apiKey === undefined && bearerToken === undefined) fail('either apiKey or bearerToken is required');
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !HEADER_SAFE.test(apiKey))) {
    fail('apiKey must be a non-empty string of printable characters without spaces');
  }
  if (bearerToken !== undefined && typeof bearerToken !== 'function' && (typeof bearerToken !== 'string' || !HEADER_SAFE.test(bearerToken))) {
    fail('bearerToken must be a non-empty token string or a function returning one');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('fetch must be a function');
  if (options.toXml !== undefined && typeof options.toXml !== 'function') fail('toXml must be a function');
  if (options.scheduler !== undefined && typeof (options.scheduler as SchedulerLike)?.schedule !== 'function') {
    fail('scheduler must be an RxJS SchedulerLike');
  }
  for (const key of ['polling', 'retry'] as const) {
    if (options[key] !== undefined && !isPlainObject(options[key])) fail(`${key} must be an object`);
  }
  if (options.endpointStyle !== undefined && options.endpointStyle !== 'sdk' && options.endpointStyle !== 'guide') {
    fail(`endpointStyle must be 'sdk' or 'guide'`);
  }
  const p = options.polling ?? {};
  const d = DEFAULTS.polling;
  // At least 1 ms: a zero interval against a fast server is a request storm.
  const intervalMs = num(p.intervalMs, 'polling.intervalMs', d.intervalMs, { min: 1 });
  const maxIntervalMs = num(p.maxIntervalMs, 'polling.maxIntervalMs', Math.max(d.maxIntervalMs, intervalMs), { min: 1 });
  if (maxIntervalMs < intervalMs) fail(`polling.maxIntervalMs (${maxIntervalMs}) must not be below polling.intervalMs (${intervalMs})`);
  const r = options.retry ?? {};
  const retryDelayMs = num(r.delayMs, 'retry.delayMs', DEFAULTS.retry.delayMs);
  return {
    apiRoot: checkBaseUrl(options.baseUrl, options.allowInsecureHttp === true),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(bearerToken !== undefined ? { bearerToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.toXml ? { toXml: options.toXml } : {}),
    polling: {
      intervalMs,
      maxIntervalMs,
      idleIntervalMs: num(p.idleIntervalMs, 'polling.idleIntervalMs', Math.max(d.idleIntervalMs, intervalMs), { min: 1 }),
      timeoutMs: num(p.timeoutMs, 'polling.timeoutMs', d.timeoutMs),
      unknownStatusTimeoutMs: num(p.unknownStatusTimeoutMs, 'polling.unknownStatusTimeoutMs', d.unknownStatusTimeoutMs),
      waitSeconds: waitSeconds(p.waitSeconds),
      pauseWhenHidden: p.pauseWhenHidden === undefined ? d.pauseWhenHidden : bool(p.pauseWhenHidden, 'polling.pauseWhenHidden'),
    },
    retry: {
      maxRetries: num(r.maxRetries, 'retry.maxRetries', DEFAULTS.retry.maxRetries, { int: true }),
      delayMs: retryDelayMs,
      maxDelayMs: num(r.maxDelayMs, 'retry.maxDelayMs', Math.max(DEFAULTS.retry.maxDelayMs, retryDelayMs)),
      jitter: r.jitter === undefined ? DEFAULTS.retry.jitter : bool(r.jitter, 'retry.jitter'),
    },
    requestTimeoutMs: num(options.requestTimeoutMs, 'requestTimeoutMs', DEFAULTS.requestTimeoutMs, { min: 1 }),
    maxDownloadBytes: checkMaxBytes(options.maxDownloadBytes, 'maxDownloadBytes') ?? DEFAULTS.maxDownloadBytes,
    scheduler: options.scheduler ?? asyncScheduler,
    endpointStyle: options.endpointStyle ?? 'sdk',
  };
}
