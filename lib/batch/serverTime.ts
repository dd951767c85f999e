/**
 * How far from UTC a server's wall clock can be: zones run from UTC-12 to UTC+14. A time the
 * server writes without a zone may be its wall clock anywhere in that range.
 */
export const ZONE_SPREAD_MS = 14 * 3_600_000;

const DAY_MS = 86_400_000;
/** ISO 8601 as servers write it: a date, maybe a time (`T` or a space), maybe a zone. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/** A time in another format that says its zone (RFC 1123's `GMT`, a `UTC` or an offset at its end). */
const OTHER_ZONED = /(?:\bGMT|\bUTC|\dZ|[+-]\d{2}:?\d{2})\s*$/i;

/**
 * The latest instant (ms since the epoch) a server's timestamp can stand for, never read in
 * this machine's zone: with a zone, the instant it names; without one (a Java `LocalDateTime`,
 * e.g. `2026-12-07T08:51:00`), its reading as UTC plus 14 hours, the farthest east a server's
 * wall clock can be (and a whole day more for a date alone); `NaN` when it cannot be read.
 * For deciding that something is older than a cutoff: a time without a zone only ever keeps
 * more candidates, whatever the client's `TZ`.
 * @param text - the server's timestamp (`createdAt`, `modifiedAt`)
 */
export function latestInstantMs(text: string | undefined): number {
  if (typeof text !== 'string') return Number.NaN;
  const trimmed = text.trim();
  const iso = ISO.exec(trimmed);
  if (!iso) return OTHER_ZONED.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  const [, y, mo, d, h, mi, s, fraction, zone] = iso;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((fraction ?? '0').slice(0, 3).padEnd(3, '0')));
  if (h === undefined) return utc + DAY_MS + ZONE_SPREAD_MS;
  if (zone === undefined) return utc + ZONE_SPREAD_MS;
  if (zone.toUpperCase() === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
}
