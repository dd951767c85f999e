import { isIdleStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';
import { firstDelayMs, type HoldVerdict } from './holdPolicy';

/** True when status, percentage or message differ: the only changes worth an event. */
export const progressChanged = (a: FlowProgress, b: FlowProgress): boolean =>
  a.status !== b.status || a.percentage !== b.percentage || a.message !== b.message;

/** What the poll loop remembers between two answers. */
export interface PollMemory {
  /** Delay used before the answer just read. */
  delayMs: number;
  /** When and at what percentage this loop first saw the execution, for the rate. */
  origin: { atMs: number; percentage: number };
  /** When the percentage was last seen rising, and to what; absent until it rises. */
  rise?: { atMs: number; percentage: number };
}

/** Growth of the delay per unchanged answer, while the percentage has not risen yet. */
export const BACKOFF_FACTOR = 1.3;
/** Share of the predicted time left that the next poll waits. */
export const ETA_SHARE = 0.2;
/** Once the predicted end has passed, share of the time overdue that the next poll waits. */
export const OVERDUE_SHARE = 0.3;

/** The memory after an answer: a higher percentage than any seen is a new rise. */
export function remember(memory: PollMemory, progress: FlowProgress, nowMs: number): PollMemory {
  const highest = memory.rise?.percentage ?? memory.origin.percentage;
  return progress.percentage > highest ? { ...memory, rise: { atMs: nowMs, percentage: progress.percentage } } : memory;
}

/**
 * The delay before the next poll. A long poll the server held (or that brought news from a
 * server that holds) asks again at once (`atOnce`, see holdPolicy.ts). Idle statuses otherwise
 * poll at `idleIntervalMs`. Otherwise, once the percentage
 * has risen, the rate from the first answer to the latest rise predicts the end: the next poll
 * waits {@link ETA_SHARE} of the time left, or {@link OVERDUE_SHARE} of the time past it, so
 * polls are sparse mid-flow and dense where the end is likely. Before any rise the delay grows
 * by {@link BACKOFF_FACTOR} per unchanged answer. Always within `[intervalMs, maxIntervalMs]`.
 * `memory` is the one after this answer (see {@link remember}).
 */
export function nextDelay(
  polling: NormalizedOptions['polling'],
  memory: PollMemory,
  progress: FlowProgress,
  changed: boolean,
  nowMs: number,
  atOnce: boolean,
): number {
  // A long poll goes at once even while the execution waits: the server holds it until the
  // wait ends, and a held poll sent after a delay would miss a change made in that delay.
  if (atOnce) return 0;
  if (isIdleStatus(progress.status)) return polling.idleIntervalMs;
  const { intervalMs, maxIntervalMs } = polling;
  const { origin, rise } = memory;
  let delay: number;
  if (rise && rise.atMs > origin.atMs && progress.percentage < 100) {
    const endMs = origin.atMs + ((100 - origin.percentage) * (rise.atMs - origin.atMs)) / (rise.percentage - origin.percentage);
    delay = endMs > nowMs ? ETA_SHARE * (endMs - nowMs) : OVERDUE_SHARE * (nowMs - endMs);
  } else {
    delay = changed ? intervalMs : Math.max(memory.delayMs, intervalMs) * BACKOFF_FACTOR;
  }
  return Math.round(Math.min(maxIntervalMs, Math.max(intervalMs, delay)));
}

/**
 * The memory before the first poll: idle statuses wait `idleIntervalMs`, a poll that asks for a
 * hold goes at once (see holdPolicy.ts), anything else waits `intervalMs`.
 */
export function firstMemory(polling: NormalizedOptions['polling'], first: FlowProgress, nowMs: number, verdict: HoldVerdict = 'unknown'): PollMemory {
  return {
    delayMs: firstDelayMs(polling, verdict, first.status),
    origin: { atMs: nowMs, percentage: first.percentage },
  };
}

/**
 * The memory after one answer, with the delay before the next poll: the poll loop's whole
 * timing state moves through this function ({@link remember}, then {@link nextDelay}).
 * @param previous - the answer before this one (or the first progress)
 * @param atOnce - the next poll goes at once: a long poll that was held or brought news (see holdPolicy.ts)
 */
export function afterAnswer(
  polling: NormalizedOptions['polling'],
  memory: PollMemory,
  previous: FlowProgress,
  progress: FlowProgress,
  nowMs: number,
  atOnce: boolean,
): PollMemory {
  const changed = progressChanged(previous, progress);
  const next = remember(memory, progress, nowMs);
  return { ...next, delayMs: nextDelay(polling, next, progress, changed, nowMs, atOnce) };
}
