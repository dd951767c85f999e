/**
 * The `timeout` sent on a progress call when no hold is wanted. The SDK documents the
 * parameter only as "the timeout in seconds, defaults to 30": a call without it may be held
 * 30 s, and what `-1` (the vendor's Java sample) or `0` mean is not public — "no hold", "the
 * default hold" or "until a change" are all common readings. A positive value has one
 * reading on every server that reads the parameter: hold at most that long. So 1.
 */
export const NO_HOLD_SECONDS = 1;

/** The `timeout` query value of a progress call that wants a hold of `waitSeconds` (0: none). */
export function progressTimeoutParam(waitSeconds: number): number {
  return waitSeconds > 0 ? waitSeconds : NO_HOLD_SECONDS;
}

/**
 * How long the server may hold a progress call that wants a hold of `waitSeconds`: what it
 * asks. The http layer adds it to `requestTimeoutMs` for that request's limit, so a request
 * the server legitimately holds is never cut at the moment the server would answer.
 */
export function progressHoldMs(waitSeconds: number): number {
  return progressTimeoutParam(waitSeconds) * 1000;
}
