import type { SmartFlowsHttpError } from '../errors';

/** The server's clock as a busy answer told it: its `Date` header, and when (on the client's scheduler) the answer came. */
export interface ServerDate {
  /** The answer's `Date` header, in ms since the epoch (whole seconds: the header's resolution). */
  dateMs: number;
  /** When the answer came, on the client's scheduler (`scheduler.now()`). */
  atMs: number;
}

/**
 * The server dates of busy errors, keyed by the error: off the public object (no new field in
 * its `toJSON` or the API report), and gone with it. One entry per busy answer, written once by
 * the transport that built the error and read by the start that got it: no state shared
 * between calls.
 */
const dates = new WeakMap<SmartFlowsHttpError, ServerDate>();

/**
 * Notes on `error` (the transport's error for an answer that is not 2xx) the answer's `Date`
 * header and `atMs`, when it came on the client's scheduler, if the answer was a 429 or 503 to a
 * POST. A start answered busy reads it ({@link serverDateOf}, `lib/api/busyStart.ts`) to look
 * for the execution it may have made in a window on the server's clock instead of the hour's
 * window. Nothing is read from any other answer; a 2xx answer (every poll) never comes here.
 *
 * The pair bounds the server's time of the POST sent at `s`: the server's clock read `dateMs`
 * (or later: the header drops the milliseconds) at `atMs`, so at `s` it read at least
 * `dateMs − (atMs − s)`.
 *
 * A `Date` later than `atMs` (this machine's clock, the scheduler's, when the answer came) is not
 * noted: a gateway's clock ahead of its backend's would narrow the look's window past the
 * execution just made (and the start would be sent again); the look falls back to the hour's
 * window. A gateway ahead of its backend while both are behind this machine is not caught.
 * @internal Used by the transport (`http/transport.ts`); not exported from the package.
 */
export function noteServerDate(error: SmartFlowsHttpError, headers: Headers, atMs: number): void {
  if (error.method !== 'POST' || (error.status !== 429 && error.status !== 503)) return;
  const dateMs = Date.parse(headers.get('date') ?? '');
  if (Number.isFinite(dateMs) && dateMs <= atMs) dates.set(error, { dateMs, atMs });
}

/**
 * The server's `Date` a busy answer told, with when it came ({@link noteServerDate}), carried by
 * the error the transport built for it; undefined for any other error, and for a busy answer
 * without a usable `Date`. Only the error the transport built carries it (not one built again
 * with more context).
 * @internal Used by `api/busyStart.ts`; not exported from the package.
 */
export function serverDateOf(error: SmartFlowsHttpError): ServerDate | undefined {
  return dates.get(error);
}
