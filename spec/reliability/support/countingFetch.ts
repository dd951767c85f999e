import crossFetch from 'cross-fetch';
import type { FetchLike } from 'smart-flows-rx';

/** One call seen by {@link countingFetch}. */
export interface SeenCall {
  method: string;
  url: string;
  /** `performance.now()` when fetch was called. */
  at: number;
  signal?: AbortSignal | null;
  /** 'pending' until fetch settles. */
  outcome: 'pending' | 'answered' | 'failed';
}

/**
 * A transport spy: wraps a fetch (cross-fetch, the client's default, unless given) and records
 * every call the client makes, with its time and abort signal; `onCall` sees each as it is made.
 */
export function countingFetch(inner: FetchLike = crossFetch as FetchLike, onCall?: (call: SeenCall, index: number) => void) {
  const calls: SeenCall[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    const call: SeenCall = { method: init.method ?? 'GET', url, at: performance.now(), signal: init.signal, outcome: 'pending' };
    calls.push(call);
    onCall?.(call, calls.length);
    return inner(url, init).then(
      (res) => {
        call.outcome = 'answered';
        return res;
      },
      (error: unknown) => {
        call.outcome = 'failed';
        throw error;
      },
    );
  };
  return {
    fetch,
    calls,
    /** Calls made strictly after `t` (a `performance.now()` value). */
    after: (t: number) => calls.filter((c) => c.at > t),
    /** Calls still waiting for an answer whose signal was not aborted. */
    live: () => calls.filter((c) => c.outcome === 'pending' && !c.signal?.aborted),
  };
}
