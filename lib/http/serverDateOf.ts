import type { SmartFlowsHttpError } from '../errors';
import { busyAnswerDates, type ServerDate } from './serverDate';

/**
 * The server's `Date` a busy answer told, with when it came (noted by the transport:
 * `noteServerDate`), carried by the error the transport built for it; undefined for any other
 * error, and for a busy answer without a usable `Date`. Only the error the transport built
 * carries it (not one built again with more context).
 *
 * The pair bounds the server's time of the POST sent at `s`: the server's clock read `dateMs`
 * (or later: the header drops the milliseconds) at `atMs`, so at `s` it read at least
 * `dateMs − (atMs − s)`.
 *
 * A `Date` later than `atMs` (this machine's clock, the scheduler's, when the answer came) is not
 * used: a gateway's clock ahead of its backend's would narrow the look's window past the
 * execution just made (and the start would be sent again); the look falls back to the hour's
 * window. A gateway ahead of its backend while both are behind this machine is not caught.
 * @internal Used by `api/busyStart.ts` (the engine's chunk); not exported from the package.
 */
export function serverDateOf(error: SmartFlowsHttpError): ServerDate | undefined {
  const noted = busyAnswerDates.get(error);
  const dateMs = Date.parse(noted?.date ?? '');
  return noted && Number.isFinite(dateMs) && dateMs <= noted.atMs ? { dateMs, atMs: noted.atMs } : undefined;
}
