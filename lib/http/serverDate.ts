import type { SmartFlowsHttpError } from '../errors';

/** The server's clock as a busy answer told it: its `Date` header, and when (on the client's scheduler) the answer came. */
export interface ServerDate {
  /** The answer's `Date` header, in ms since the epoch (whole seconds: the header's resolution). */
  dateMs: number;
  /** When the answer came, on the client's scheduler (`scheduler.now()`). */
  atMs: number;
}

/**
 * The `Date` header of each busy error's answer and when it came, keyed by the error: off the
 * public object (no new field in its `toJSON` or the API report), and gone with it. One entry
 * per busy answer, written once by the transport that built the error and read by the start
 * that got it ({@link serverDateOf}): no state shared between calls. Kept raw: the transport is in
 * every app's first bundle, the reading (`serverDateOf.ts`) only in the engine's.
 * @internal
 */
export const busyAnswerDates = new WeakMap<SmartFlowsHttpError, { date: string | null; atMs: number }>();

/**
 * Notes on `error` (the transport's error for an answer that is not 2xx) the answer's `Date`
 * header and `atMs`, when it came on the client's scheduler, if the answer was a 429 or 503 to a
 * POST. A start answered busy reads it ({@link serverDateOf}, `lib/api/busyStart.ts`) to look
 * for the execution it may have made in a window on the server's clock instead of the hour's
 * window. Nothing is read from any other answer; a 2xx answer (every poll) never comes here.
 * @internal Used by the transport (`http/transport.ts`); not exported from the package.
 */
export function noteServerDate(error: SmartFlowsHttpError, headers: Headers, atMs: number): void {
  if (error.method === 'POST' && (error.status === 429 || error.status === 503)) busyAnswerDates.set(error, { date: headers.get('date'), atMs });
}
