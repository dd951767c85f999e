import { type HttpClient, HttpErrorResponse, HttpHeaders, type HttpResponse } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { FetchLike } from 'smart-flows-rx';

/** Statuses whose Response must not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const STATUS_TEXT = /^[\t\x20-\x7e\x80-\xff]*$/;

/** How {@link httpClientFetch} sends through an `HttpClient`. */
export interface HttpClientFetchOptions {
  /**
   * Whether the `HttpClient`'s backend follows redirects whatever it is asked, as Angular's XHR
   * backend does (it also warns about a `redirect` option in development). Then the client's
   * `redirect: 'manual'` is not passed on. Angular's fetch backend (`withFetch()`) honours it:
   * a redirect then comes back to the client, which follows it itself and drops the API key or
   * token when the origin changes. `withHttpClient()` sets this from the app's backend. Such a
   * backend is not given the `cache` mode either (XHR has none; Angular warns about it).
   * @default false
   */
  backendFollowsRedirects?: boolean;
}

/**
 * A WHATWG `fetch` on Angular's `HttpClient`, for the client's `fetch` option: each call is one
 * `HttpClient.request` (so the app's interceptors see it and `HttpTestingController` can answer
 * it); aborting the signal unsubscribes, which cancels the HttpClient request. A non-2xx answer
 * (`HttpErrorResponse` with a status) becomes a normal `Response` with that status, headers and
 * body, so the client's own retry, Retry-After, redaction and error classes apply; status 0 (no
 * answer: refused, CORS, offline) becomes the `TypeError` fetch raises for a network failure.
 * JSON calls are read as text (tests may `flush` an object or a string); documents as bytes.
 *
 * The request's `redirect` mode is passed on (Angular ≥ 20's `redirect` request option), so with
 * the fetch backend a redirect is the client's to follow, with its rule for credentials. In a
 * browser, fetch answers a manual redirect with an opaque status 0: that comes back as fetch's
 * own `opaqueredirect` answer, and the client sends the GET again letting the browser follow
 * (CORS then decides whether the key may go). With a backend that always follows (XHR), say so
 * in `options`; outside a browser such a backend would send the key to any host a redirect
 * names, which is why `withHttpClient()` refuses it there. The request's `cache` mode (the
 * client sends `'no-store'`) is passed on the same way: XHR has none, so under the XHR backend
 * a cacheable answer may come from the browser's cache (docs/angular.md).
 *
 * @param http - the app's `HttpClient`
 * @param options - what the `HttpClient`'s backend does with redirects
 * @returns a fetch function for `new SmartFlowsClient({ fetch })` (what `withHttpClient()` does)
 */
export function httpClientFetch(http: HttpClient, options: HttpClientFetchOptions = {}): FetchLike {
  const passRedirect = !options.backendFollowsRedirects;
  return (url, init = {}) =>
    // A Promise rather than an Observable: this is fetch's contract, which the client takes.
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(abortReason(signal));
      const headers = new Headers(init.headers);
      const common = {
        body: init.body ?? null,
        headers: new HttpHeaders(Object.fromEntries(headers)),
        observe: 'response' as const,
        // Never replay a poll from the server-side-rendering cache.
        transferCache: false,
        ...(passRedirect && init.redirect ? { redirect: init.redirect } : {}),
        // The client's `cache: 'no-store'` (Angular ≥ 20's `cache` option, fetch backend): a
        // browser must not answer a poll from its HTTP cache (docs/angular.md).
        ...(passRedirect && init.cache ? { cache: init.cache } : {}),
      };
      const method = init.method ?? 'GET';
      const answer: Observable<HttpResponse<string | ArrayBuffer>> = (headers.get('accept') ?? '').includes('json')
        ? http.request(method, url, { ...common, responseType: 'text' })
        : http.request(method, url, { ...common, responseType: 'arraybuffer' });
      const onAbort = () => {
        subscription.unsubscribe();
        reject(abortReason(signal!));
      };
      const settle = (fn: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const subscription = answer.subscribe({
        next: (res) => settle(() => resolve(toResponse(res.status, res.statusText, res.headers, res.body))),
        error: (error: unknown) =>
          settle(() => {
            if (error instanceof HttpErrorResponse && error.status >= 200 && error.status <= 599) {
              resolve(toResponse(error.status, error.statusText, error.headers, errorBody(error.error)));
            } else if (error instanceof HttpErrorResponse && error.status === 0 && error.error === null && passRedirect && init.redirect === 'manual') {
              // The fetch backend's answer to a browser's opaque redirect (a network failure carries its error).
              resolve(opaqueRedirect());
            } else if (error instanceof HttpErrorResponse) {
              // Status 0: no answer reached the app. fetch's own failure is a TypeError.
              reject(new TypeError('Failed to fetch', { cause: error }));
            } else {
              // An interceptor's own error (e.g. "not logged in"): the client wraps it in SmartFlowsNetworkError.
              reject(error);
            }
          }),
      });
      if (!subscription.closed) signal?.addEventListener('abort', onAbort, { once: true });
    });
}

/** What a browser's fetch gives for a redirect under `redirect: 'manual'`: status 0, no body, type `opaqueredirect`. */
function opaqueRedirect(): Response {
  return Object.defineProperty(Response.error(), 'type', { value: 'opaqueredirect' });
}

function toResponse(status: number, statusText: string, headers: HttpHeaders, body: BodyInit | null): Response {
  const out = new Headers();
  for (const name of headers.keys()) for (const value of headers.getAll(name) ?? []) out.append(name, value);
  return new Response(NULL_BODY.has(status) ? null : body, {
    status,
    ...(STATUS_TEXT.test(statusText) ? { statusText } : {}),
    headers: out,
  });
}

/** The body of an error answer, whatever shape an interceptor or the test controller gave it. */
function errorBody(body: unknown): BodyInit | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body as BodyInit;
  if (typeof (body as { text?: unknown }).text === 'string') return (body as { text: string }).text;
  try {
    return JSON.stringify(body);
  } catch {
    return null;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}
