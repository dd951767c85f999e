import type { FetchLike } from '../../lib/options';

/** A scripted fetch: answers each request from `answer(url, init)` and records it. */
export function fakeFetch(answer: (url: string, init: RequestInit) => unknown | Response) {
  const requests: { method: string; url: string; at: number }[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    requests.push({ method: init.method ?? 'GET', url, at: Date.now() });
    const body = answer(url, init);
    if (body instanceof Response) return body;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests };
}
