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
  /** For a failed call: whether the client had aborted its signal by then (an abort, not a network failure). */
  abortedFirst?: boolean;
  /** The HTTP status, once answered. */
  status?: number;
  /** `performance.now()` when fetch settled. */
  settledAt?: number;
  /** With `checkJson`: a 200 JSON answer whose body does not parse (the client must have refused it). */
  malformedJson?: boolean;
  /** With `tagHeader`: the number sent in that header (unique in this process), for matching server-side records. */
  tag?: number;
  /** Resolves (never rejects) once fetch settled, whichever way. */
  settled: Promise<void>;
}

/** Options of {@link countingFetch}. */
export interface CountingFetchOptions {
  /** Sends each call's {@link SeenCall.tag} in this request header. */
  tagHeader?: string;
  /** Reads a copy of every 200 JSON answer and notes whether it parses ({@link SeenCall.malformedJson}). */
  checkJson?: boolean;
}

let nextTag = 1;

/**
 * A transport spy: wraps a fetch (cross-fetch, the client's default, unless given) and records
 * every call the client makes, with its time, abort signal and answer; `onCall` sees each as it is made.
 */
export function countingFetch(
  inner: FetchLike = crossFetch as FetchLike,
  onCall?: (call: SeenCall, index: number) => void,
  options: CountingFetchOptions = {},
) {
  const calls: SeenCall[] = [];
  const fetch: FetchLike = (url, init = {}) => {
    let done!: () => void;
    const call: SeenCall = {
      method: init.method ?? 'GET',
      url,
      at: performance.now(),
      signal: init.signal,
      outcome: 'pending',
      settled: new Promise<void>((resolve) => (done = resolve)),
    };
    let sent = init;
    if (options.tagHeader) {
      call.tag = nextTag++;
      // A plain record: a WHATWG Headers object is not one node-fetch (cross-fetch) recognizes.
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      sent = { ...init, headers: { ...headers, [options.tagHeader]: String(call.tag) } };
    }
    calls.push(call);
    onCall?.(call, calls.length);
    return inner(url, sent).then(
      async (res) => {
        call.status = res.status;
        if (options.checkJson && res.status === 200 && res.headers.get('content-type')?.includes('json')) {
          const text = await res.clone().text().catch(() => undefined);
          call.malformedJson = text !== undefined && !parses(text);
        }
        call.outcome = 'answered';
        call.settledAt = performance.now();
        done();
        return res;
      },
      (error: unknown) => {
        call.outcome = 'failed';
        call.abortedFirst = init.signal?.aborted === true;
        call.settledAt = performance.now();
        done();
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

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
