import { type HttpClient, HttpErrorResponse, HttpHeaders, type HttpResponse } from '@angular/common/http';
import type { Observable } from 'rxjs';
import type { FetchLike } from 'smart-flows-rx';

/** Statuses whose Response must not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const STATUS_TEXT = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A WHATWG `fetch` on Angular's `HttpClient`, for the client's `fetch` option: each call is one
 * `HttpClient.request` (so the app's interceptors see it and `HttpTestingController` can answer
 * it); aborting the signal unsubscribes, which cancels the HttpClient request. A non-2xx answer
 * (`HttpErrorResponse` with a status) becomes a normal `Response` with that status, headers and
 * body, so the client's own retry, Retry-After, redaction and error classes apply; status 0 (no
 * answer: refused, CORS, offline) becomes the `TypeError` fetch raises for a network failure.
 * JSON calls are read as text (tests may `flush` an object or a string); documents as bytes.
 *
 * @param http - the app's `HttpClient`
 * @returns a fetch function for `new SmartFlowsClient({ fetch })` (what `withHttpClient()` does)
 */
export function httpClientFetch(http: HttpClient): FetchLike {
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
