/** A fetch that knows its requests in flight, so the command can let them finish before exiting. */
export interface TrackedFetch {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Resolves when every request in flight now has settled, or after `limitMs`. */
  drain(limitMs: number): Promise<void>;
}

/**
 * Wraps Node's fetch. On Ctrl-C the command unsubscribes, which aborts the polls and (with
 * `--cancel-on-exit`) makes the client send its cancel calls, fire and forget; waiting for
 * those before `process.exit` is what makes the cancels reach the server.
 */
export function trackedFetch(base: typeof globalThis.fetch = globalThis.fetch): TrackedFetch {
  const inFlight = new Set<Promise<void>>();
  return {
    fetch(input, init) {
      const answer = base(input, init);
      const settled = answer.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return answer;
    },
    drain(limitMs) {
      if (inFlight.size === 0) return Promise.resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
      return Promise.race([Promise.all([...inFlight]).then(() => undefined), limit]).finally(() => clearTimeout(timer));
    },
  };
}
