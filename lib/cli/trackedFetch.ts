import { isGuid } from '../api/ids';
import type { FetchLike } from '../options';
/** How long the drain waits for new requests to show up before it calls the client quiet. */
const QUIET_MS = 20;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What became of the cancel call of one execution, as far as the command saw it. */
export type CancelOutcome =
  /** The server accepted it (2xx). */
  | { state: 'canceled' }
  /** The server answered with an error status. */
  | { state: 'refused'; status: number }
  /** No answer came (still in flight when the command stopped waiting, or the connection failed). */
  | { state: 'unanswered'; reason: string };

/** A fetch that knows its requests in flight, so the command can let them finish before exiting. */
export interface TrackedFetch {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Resolves when every request in flight now has settled, or after `limitMs`. */
  drain(limitMs: number): Promise<void>;
  /** The last cancel call sent for `executionId` and what came of it; undefined when none was sent. */
  cancelOutcome(executionId: string): CancelOutcome | undefined;
  /**
   * The starts sent (POST of an execution) and what came of them: `sent` counts them, `ids` are
   * the execution ids their answers named, `pending` the ones whose answer is not in yet.
   */
  starts(): { sent: number; pending: number; ids: readonly string[] };
  /** Resolves once no start is waiting for its answer, or after `limitMs`. */
  startsAnswered(limitMs: number): Promise<void>;
}

/** A start: POST of an execution (with input, or skipping it). */
const START = /\/flows\/executions(?:\/start)?\/?$/;

/** The execution id a start's answer names (a progress object), read from a copy of the answer. */
const idOfStart = (response: Response): Promise<string | undefined> =>
  response.ok
    ? response
        .clone()
        .json()
        .then((body: unknown) => {
          const id = (body as { id?: unknown } | null)?.id;
          return isGuid(id) ? id.toLowerCase() : undefined;
        })
    : Promise.resolve(undefined);

/** A cancel call: DELETE on an execution or its progress (the two spellings of the API). */
const CANCEL = /\/flows\/executions\/([0-9a-fA-F-]{36})(?:\/progress)?(?:[?#]|$)/;

/**
 * Wraps the command's fetch (lib/cli/httpFetch.ts). On Ctrl-C the command unsubscribes, which aborts the polls and (with
 * `--cancel-on-exit`) makes the client send its cancel calls, fire and forget; waiting for
 * those before `process.exit` is what makes the cancels reach the server.
 */
export function trackedFetch(base: FetchLike = (input, init) => globalThis.fetch(input, init)): TrackedFetch {
  const inFlight = new Set<Promise<void>>();
  // The client sends the cancel calls of --cancel-on-exit fire and forget: what came of each is seen here.
  const cancels = new Map<string, CancelOutcome>();
  // Starts sent, and the ids their answers named: Ctrl-C right after a start still knows its execution.
  const startsPending = new Set<Promise<void>>();
  const startIds: string[] = [];
  let startsSent = 0;
  const watchStart = (input: string, init: RequestInit | undefined, answer: Promise<Response>) => {
    if (init?.method?.toUpperCase() !== 'POST' || !START.test(new URL(input, 'http://x').pathname)) return;
    startsSent++;
    const seen = answer.then(idOfStart).then(
      (id) => void (id !== undefined && startIds.push(id)),
      () => undefined,
    );
    startsPending.add(seen);
    void seen.then(() => startsPending.delete(seen));
  };
  const watchCancel = (input: string, init: RequestInit | undefined, answer: Promise<Response>) => {
    const id = init?.method?.toUpperCase() === 'DELETE' ? CANCEL.exec(new URL(input, 'http://x').pathname)?.[1]?.toLowerCase() : undefined;
    if (id === undefined) return;
    const pending: CancelOutcome = { state: 'unanswered', reason: 'no answer came' };
    cancels.set(id, pending);
    const settle = (outcome: CancelOutcome) => {
      // A later call (the other spelling, after a 404) owns the outcome from then on.
      if (cancels.get(id) === pending) cancels.set(id, outcome);
    };
    answer.then(
      (response) => settle(response.ok ? { state: 'canceled' } : { state: 'refused', status: response.status }),
      (error: unknown) => settle({ state: 'unanswered', reason: (error as Error)?.name === 'AbortError' ? 'aborted' : 'the connection failed' }),
    );
  };
  return {
    cancelOutcome: (executionId) => cancels.get(executionId.toLowerCase()),
    starts: () => ({ sent: startsSent, pending: startsPending.size, ids: [...startIds] }),
    async startsAnswered(limitMs) {
      if (startsPending.size === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
      await Promise.race([Promise.all([...startsPending]), limit]).finally(() => clearTimeout(timer));
    },
    fetch(input, init) {
      const answer = base(input, init);
      watchCancel(input, init, answer);
      watchStart(input, init, answer);
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
