import { MAX_TIMER_MS } from '../options';

/**
 * Reads a `Retry-After` header (delay-seconds or an HTTP date) as a delay in ms,
 * clamped to `[0, maxMs]`: Node fires timers above 2^31−1 ms at once, which turns a
 * huge Retry-After into a busy loop. Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number, maxMs = MAX_TIMER_MS): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, ms), maxMs, MAX_TIMER_MS);
}
