import { isIdleStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';

/** What the poll loop remembers between two answers. */
export interface PollMemory {
  /** Delay used before the answer just read. */
  delayMs: number;
  /** When and at what percentage this loop first saw the execution, for the rate. */
  origin: { atMs: number; percentage: number };
}

/** Growth of the delay per unchanged answer. */
export const BACKOFF_FACTOR = 1.6;

/**
 * The delay before the next poll. Idle statuses poll at `idleIntervalMs`. A long poll that the
 * server really held (or that brought news) asks again at once. Otherwise the delay grows by
 * {@link BACKOFF_FACTOR} while nothing changes and halves when progress moves, within
 * `[intervalMs, maxIntervalMs]`; and when the percentage has been rising, the rate so far
 * predicts the end, and the next poll is placed no later than that moment.
 */
export function nextDelay(
  polling: NormalizedOptions['polling'],
  memory: PollMemory,
  progress: FlowProgress,
  changed: boolean,
  nowMs: number,
  answeredAfterMs: number,
): number {
  if (isIdleStatus(progress.status)) return polling.idleIntervalMs;
  if (polling.waitSeconds > 0 && (changed || answeredAfterMs >= polling.waitSeconds * 800)) return 0;
  const { intervalMs, maxIntervalMs } = polling;
  const grown = changed ? memory.delayMs / 2 : Math.max(memory.delayMs, intervalMs) * BACKOFF_FACTOR;
  let delay = Math.min(maxIntervalMs, Math.max(intervalMs, grown));
  const { origin } = memory;
  const elapsed = nowMs - origin.atMs;
  if (progress.percentage > origin.percentage && progress.percentage < 100 && elapsed > 0) {
    const ratePerMs = (progress.percentage - origin.percentage) / elapsed;
    const etaMs = (100 - progress.percentage) / ratePerMs;
    delay = Math.min(delay, Math.max(intervalMs, etaMs));
  }
  return Math.round(delay);
}
