/** How long the drain waits for new requests to show up before it calls the client quiet. */
const QUIET_MS = 20;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
    async drain(limitMs) {
      const deadline = Date.now() + limitMs;
      // Unsubscribing fires the cancel calls a moment later (after the teardown, through the
      // credentials step): give them a turn, then wait for whatever is in flight, until quiet.
      for (;;) {
        await pause(QUIET_MS);
        const left = deadline - Date.now();
        if (inFlight.size === 0 || left <= 0) return;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
        await Promise.race([Promise.all([...inFlight]), limit]).finally(() => clearTimeout(timer));
      }
    },
  };
}
