import type { FetchLike } from '../options';

/** The server's clock as a busy answer told it: its `Date` header, and when (on the client's scheduler) the answer came. */
export interface ServerDate {
  /** The answer's `Date` header, in ms since the epoch (whole seconds: the header's resolution). */
  dateMs: number;
  /** When the answer came, on the client's scheduler (`scheduler.now()`). */
  atMs: number;
}

/**
 * Wraps `fetchFn` to note the `Date` header of the latest 429 or 503 answer to a POST, with the
 * time it came on `now`'s clock (the client's scheduler). A start answered busy reads it
 * (`lib/api/busyStart.ts`) to look for the execution it may have made in a window on the
 * server's clock instead of the hour's window. GETs (every poll) go straight to `fetchFn`;
 * nothing is read from an answer that is not a busy answer to a POST.
 *
 * Any busy answer's pair bounds the server's time of a POST sent at `s`: the server's clock read
 * `dateMs` (or later: the header drops the milliseconds) at `atMs`, so at `s` it read at least
 * `dateMs − (atMs − s)`. Which answer the noted one was therefore does not matter, as long as it
 * came after `s` (a pair older than the call is not used: see `busyStart`).
 *
 * A `Date` later than `now` when the answer came (this machine's clock, the scheduler's) is not
 * noted: a gateway's clock ahead of its backend's would narrow the look's window past the
 * execution just made (and the start would be sent again); the look falls back to the hour's
 * window. A gateway ahead of its backend while both are behind this machine is not caught.
 */
export function noteServerDates(fetchFn: FetchLike, now: () => number): { fetch: FetchLike; latest(): ServerDate | undefined } {
  let latest: ServerDate | undefined;
  const note = (res: Response): Response => {
    if (res.status === 429 || res.status === 503) {
      const dateMs = Date.parse(res.headers.get('date') ?? '');
      const atMs = now();
      if (Number.isFinite(dateMs) && dateMs <= atMs) latest = { dateMs, atMs };
    }
    return res;
  };
  return {
    fetch: (input, init) => (init?.method === 'POST' ? fetchFn(input, init).then(note) : fetchFn(input, init)),
    latest: () => latest,
  };
}
