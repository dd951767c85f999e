import crossFetch from 'cross-fetch';
import type { FetchLike } from '../options';

/**
 * From this Node major on, the runtime's own fetch (undici) is the default: bench part 4
 * (`bench/fetch.mjs`) measured it at least as good as cross-fetch's node-fetch there in
 * requests/s and CPU per request, and worse on Node 20 and 22.
 */
export const RUNTIME_FETCH_FROM_NODE_MAJOR = 24;

/**
 * The fetch used when none is given, for a Node version: on Node ≥ 24 with a global fetch,
 * that fetch, looked up at each call (so msw's interceptors or a later patch are used);
 * otherwise cross-fetch (node-fetch in Node), the portable fallback.
 */
export function selectDefaultFetch(nodeVersion: string | undefined, hasGlobalFetch: boolean): FetchLike {
  const major = Number(nodeVersion?.split('.')[0]);
  if (hasGlobalFetch && major >= RUNTIME_FETCH_FROM_NODE_MAJOR) return (input, init) => globalThis.fetch(input, init);
  return crossFetch as FetchLike;
}

/** The fetch used when none is given in the Node build: see {@link selectDefaultFetch}. */
export const defaultFetch: FetchLike = selectDefaultFetch(
  typeof process === 'undefined' ? undefined : process.versions?.node,
  typeof globalThis.fetch === 'function',
);
