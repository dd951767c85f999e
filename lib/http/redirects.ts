import type { FetchLike } from '../options';
import { openBody } from './readLimited';

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
/** Hops followed before the 3xx itself is given back (and fails as SmartFlowsHttpError). */
export const MAX_REDIRECTS = 5;

/**
 * Sends a request without letting fetch follow redirects on its own: fetch keeps a custom
 * `X-API-Key` header when it follows one to another host (only `Authorization` is dropped),
 * so the key would reach whatever host a redirect names. GET redirects are followed here,
 * with the credentials dropped when the origin changes and never from https down to http;
 * any other method gets the 3xx back. In a browser, where a manual redirect is opaque, a GET
 * is sent again with fetch's own following: CORS then only lets the key go where the target
 * allows `X-API-Key`.
 *
 * A redirect's own body is never read: it is cancelled, and `nextHop` lets its connection go
 * (a 302 whose body never ends would otherwise grow memory and hold a socket for good).
 *
 * @param fetchFn - the client's fetch
 * @param url - the first URL
 * @param init - the request; its `redirect` is replaced (a copy is made unless it is already `'manual'`)
 * @param nextHop - aborts the signal the last hop was sent with (so fetch lets that connection
 *   go: cancelling a node-fetch body alone leaves its socket paused) and gives the signal for
 *   the next hop. Called only when a redirect is followed, so a request that is not redirected
 *   costs nothing more.
 * @returns the first answer that is not a redirect to follow
 */
export async function fetchWithoutLeakingRedirects(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  nextHop?: () => AbortSignal,
): Promise<Response> {
  let current = url;
  let currentInit: RequestInit = init.redirect === 'manual' ? init : { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const res = await fetchFn(current, currentInit);
    const opaque = res.type === 'opaqueredirect';
    if (!opaque && !REDIRECT_STATUS.has(res.status)) return res;
    if ((currentInit.method ?? 'GET') !== 'GET' || hop >= MAX_REDIRECTS) return res;
    if (opaque) return fetchFn(current, { ...currentInit, redirect: 'follow' });
    const location = res.headers.get('location');
    if (!location) return res;
    const from = new URL(current);
    const to = new URL(location, from);
    if (to.protocol !== 'https:' && to.protocol !== 'http:') return res;
    if (from.protocol === 'https:' && to.protocol !== 'https:') return res;
    // The redirect's own body is unused, and may never end: cancelled, not drained.
    openBody(res).cancel();
    const signal = nextHop?.();
    const headers = new Headers(currentInit.headers);
    if (to.origin !== from.origin) {
      headers.delete('x-api-key');
      headers.delete('authorization');
    }
    current = to.href;
    currentInit = { ...currentInit, headers, ...(signal ? { signal } : {}) };
  }
}
