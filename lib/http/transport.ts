import { Observable, type SchedulerAction, switchMap } from 'rxjs';
import {
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../errors';
import { type Credentials, type HttpSettings, MAX_TIMER_MS } from '../options';
import { authHeaders, fixedAuthHeaders } from './auth';
import { certainlyNotSent, errorCode } from './classify';
import { fetchWithoutLeakingRedirects } from './redirects';
import { parseRetryAfter } from './retryAfter';
import { defaultFetch } from './defaultFetch';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './jsonDepth';
import { openBody, readLimited, type TooLarge } from './readLimited';
import type { BinaryType } from './readBinary';
import { noteServerDate } from './serverDate';

/** One call to the server, below `{baseUrl}/api/v1`. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the API root, with every id already checked and encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: string;
  contentType?: string;
  /**
   * How the answer is read: parsed JSON, text ('empty'), or binary content as a `Uint8Array`,
   * a `Blob`, or a `ReadableStream` given once the headers are in. @default 'json'
   */
  responseType?: 'json' | 'empty' | BinaryType;
  /** Largest binary answer read; a larger one is refused. @default the client's `maxDownloadBytes` */
  maxBytes?: number;
  /**
   * Overrides the client's `requestTimeoutMs` (a long poll adds its wait). It bounds the wait
   * for the headers; a binary body then may take as long as it keeps arriving, with at most
   * this long between two chunks (an idle timeout). A JSON answer is bounded as a whole.
   */
  timeoutMs?: number;
  /** How long the server may hold this request before answering (a long poll): added to the time limit. */
  holdMs?: number;
  /** Asks a token function for a fresh token (after a 401). */
  refreshToken?: boolean;
  /** More values to redact from an error body, beyond the key and token (e.g. a login password). */
  secrets?: readonly string[];
}

export type { BinaryType } from './readBinary';

const isBinary = (type: HttpRequest['responseType']): type is BinaryType => type === 'bytes' || type === 'blob' || type === 'stream';

/** A 2xx answer, read. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  url: string;
}

/** Sends one request per subscription; unsubscribing aborts it. */
export type Transport = (request: HttpRequest) => Observable<HttpResponse>;

/** Largest JSON answer read; a larger one is refused rather than held in memory. */
export const MAX_JSON_BYTES = 10 * 1024 * 1024;
const BODY_IN_ERROR = 1000;

/** What `URLSearchParams` leaves as it is (form-urlencoded): names and values of these need no encoding. */
const PLAIN_QUERY = /^[A-Za-z0-9*._-]*$/;

/** Builds the request URL: the API root, the path, and the defined query parameters. */
export function buildUrl(apiRoot: string, path: string, query?: HttpRequest['query']): string {
  let qs = '';
  for (const key of query ? Object.keys(query) : []) {
    const v = query![key];
    if (v === undefined) continue;
    const value = String(v);
    // The usual query (a GUID, a number, a timeout) is joined as it is: a `URLSearchParams` for it
    // on every poll cost more than the string. Anything else is encoded by it, as before.
    if (!PLAIN_QUERY.test(key) || !PLAIN_QUERY.test(value)) return `${apiRoot}${path}?${encodedQuery(query!)}`;
    qs += `${qs ? '&' : ''}${key}=${value}`;
  }
  return `${apiRoot}${path}${qs ? `?${qs}` : ''}`;
}

function encodedQuery(query: NonNullable<HttpRequest['query']>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  return params.toString();
}

/**
 * The `cache` mode every request asks: `'no-store'`, except on Cloudflare Workers (its
 * `navigator.userAgent`), which before compatibility date 2024-11-11 throw "The 'cache' field on
 * 'RequestInitializerDict' is not implemented" from every `fetch` given one, and have no browser
 * cache to bypass. Read from the user agent, not by building a `Request`: in Node that would load
 * undici's fetch (about 10 ms) in the command line, which sends over `node:http`.
 */
const noStore: RequestCache | undefined = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers' ? undefined : 'no-store';

/**
 * Creates the transport: one small function on fetch that turns a call into an Observable,
 * sends the auth and content headers, aborts on unsubscribe (AbortController) and after the
 * per-request timeout (on the client's scheduler), and maps failures to the error classes.
 * It knows nothing about flows or retries.
 */
export function createTransport(options: HttpSettings & Credentials): Transport {
  const fetchFn = options.fetch ?? defaultFetch;
  // An API key or a token string: the same headers for every request, sent without the
  // Observable and `switchMap` a token function needs (each poll paid for both).
  const fixedAuth = fixedAuthHeaders(options.apiKey, options.bearerToken);

  /** One request with these auth headers. */
  const send = (request: HttpRequest, auth: Record<string, string>): Observable<HttpResponse> => {
    const url = buildUrl(options.apiRoot, request.path, request.query);
    const method = request.method;
    const headers: Record<string, string> = { Accept: isBinary(request.responseType) ? '*/*' : 'application/json', ...auth };
    if (request.contentType) headers['Content-Type'] = request.contentType;
    // A long poll adds its wait to the limit; a timer above 2^31−1 ms would fire at once.
    const timeoutMs = Math.min((request.timeoutMs ?? options.requestTimeoutMs) + (request.holdMs ?? 0), MAX_TIMER_MS);
    // The secrets actually sent (a token function's token included), for redacting echoes;
    // built only when an error body needs it, not on every poll. The redactor is loaded then
    // too, while the body is read (in a browser app's bundle, a chunk fetched at the first
    // error answer, not up front): a body that cannot be redacted is not kept, like one that
    // cannot be read.
    const redacted = (body: Promise<string>) =>
      Promise.all([body, import('../internal/redact')]).then(
        ([text, { redactor }]) => redactor([options.apiKey, auth.Authorization?.slice('Bearer '.length), ...(request.secrets ?? [])])(text),
        () => '',
      );

    const { scheduler } = options;
    // For error messages only: a URL parse per poll is not paid on the way that succeeds.
    const where = () => `${method} ${new URL(url).pathname}`;
    const stalled = () => new SmartFlowsTimeoutError(`Download stalled: no data for ${timeoutMs} ms: ${where()}`, timeoutMs);
    const tooLarge: TooLarge = (detail) => new SmartFlowsResponseError(`The answer to ${where()} is too large for maxBytes ${maxBytes} (${detail})`);
    const maxBytes = request.maxBytes ?? options.maxDownloadBytes;

    // Hand-written: one AbortController must span the fetch, the limited body read and the
    // timers of this one request, and unsubscribing must abort them all (fromFetch reads no body).
    return new Observable<HttpResponse>((subscriber) => {
      // Replaced on each redirect followed: aborting the old one lets the redirect's connection go.
      let controller = new AbortController();
      const nextHop = () => {
        controller.abort();
        controller = new AbortController();
        return controller.signal;
      };
      let settled = false;
      // Set once a binary body is being read: from then on the limit is on the time
      // between two chunks (restarted by `touch`), not on a body that keeps arriving.
      let lastDataAt: number | undefined;
      const touch = () => void (lastDataAt = scheduler.now());
      const timer = scheduler.schedule(function (this: SchedulerAction<undefined>) {
        const quietMs = lastDataAt === undefined ? timeoutMs : scheduler.now() - lastDataAt;
        if (quietMs < timeoutMs) return void this.schedule(undefined, timeoutMs - quietMs);
        settled = true;
        controller.abort();
        subscriber.error(lastDataAt === undefined ? new SmartFlowsTimeoutError(`Request timed out after ${timeoutMs} ms: ${where()}`, timeoutMs) : stalled());
      }, timeoutMs);
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timer.unsubscribe();
        fn();
      };

      // Through a promise, so a fetch that throws synchronously fails like one that rejects.
      // `cache: 'no-store'`: a browser must not answer a poll or the read that decides after a busy
      // answer from its HTTP cache (a cacheable progress or listing answer would be seen again).
      // Not a `Cache-Control` request header, which would cost every cross-origin call a preflight.
      const init: RequestInit = { method, headers, body: request.body, signal: controller.signal, redirect: 'manual', cache: noStore };
      new Promise<Response>((resolve) => resolve(fetchWithoutLeakingRedirects(fetchFn, url, init, nextHop)))
        .then(async (res) => {
          if (!res.ok) {
            // When the answer came (before its body was read): a busy answer's Date is paired with it.
            const cameAt = scheduler.now();
            // Redacted before trimming, so a secret cut at the limit cannot leak its start.
            const text = (await redacted(readText(res).catch(() => ''))).slice(0, BODY_IN_ERROR);
            const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now(), options.retry.maxDelayMs);
            const error = new SmartFlowsHttpError({ status: res.status, method, url, body: text, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
            // A busy answer to a POST carries its server Date to the start that gets it (http/serverDate.ts).
            noteServerDate(error, res.headers, cameAt);
            throw error;
          }
          const type = request.responseType ?? 'json';
          const body = isBinary(type)
            ? // Binary content (documents only) is read by code that loads with its first use.
              await import('./readBinary').then(({ readBinary }) => readBinary(res, type, { limit: maxBytes, tooLarge, touch, idleMs: timeoutMs, scheduler, stalled,
                failed: (cause) => toError(cause, method, url), release: () => controller.abort() }))
            : type === 'empty'
              ? // Nobody reads it (a cancel's answer): the 2xx status is the answer. Released, not
                // awaited: a body that never ends must not turn an accepted cancel into a timeout.
                (openBody(res).cancel(), '')
              : await readBody(res, type, method, url);
          return { status: res.status, headers: res.headers, body, url };
        })
        .then(
          (response) => finish(() => { subscriber.next(response); subscriber.complete(); }),
          (error: unknown) => {
            // An answer refused before its body was read (too large) still holds the connection.
            controller.abort();
            finish(() => subscriber.error(toError(error, method, url)));
          },
        );

      return () => {
        if (!settled) {
          settled = true;
          timer.unsubscribe();
          controller.abort();
        }
      };
    });
  };

  return (request) =>
    fixedAuth
      ? send(request, fixedAuth)
      : authHeaders(options.apiKey, options.bearerToken, request.refreshToken).pipe(switchMap((auth) => send(request, auth)));
}

const UTF8 = new TextDecoder();

function readText(res: Response): Promise<string> {
  // Stops reading past the limit (a chunked 50 MB answer is not held in memory first).
  return readLimited(res, MAX_JSON_BYTES).then((bytes) => UTF8.decode(bytes));
}

function readBody(res: Response, type: 'json' | 'empty', method: string, url: string): Promise<unknown> {
  return readText(res).then((text) => (type === 'empty' ? text : parseJson(res, text, method, url)));
}

function parseJson(res: Response, text: string, method: string, url: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new SmartFlowsResponseError(`The answer to ${method} ${new URL(url).pathname} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    // Parsed whatever the Content-Type says: some servers label JSON text/plain.
    return JSON.parse(text);
  } catch (error) {
    const kind = res.headers.get('content-type') ?? 'no content type';
    // JSON.parse quotes up to 10 characters of the text it refused, which may be an echoed key.
    const cause = new SyntaxError(String((error as Error)?.message).replace(/"[\s\S]*$/, '(text not quoted)'));
    throw new SmartFlowsResponseError(
      `The answer to ${method} ${new URL(url).pathname} is not JSON (${kind}, ${text.length} characters)`,
      { cause, retryable: true },
    );
  }
}

function toError(error: unknown, method: string, url: string): Error {
  if (error instanceof SmartFlowsHttpError || error instanceof SmartFlowsResponseError) return error;
  const notSent = certainlyNotSent(error);
  const code = errorCode(error);
  return new SmartFlowsNetworkError({ method, url, maybeReceived: !notSent, ...(code ? { detail: code } : {}) }, { cause: error });
}
