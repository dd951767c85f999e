import { isIdleStatus } from '../api/status';
import type { FlowStatus } from '../api/types';

/**
 * What a client has learned about its server's long polls: nothing yet, that it holds a
 * progress call it asks to hold, or that it answers at once anyway. One server, one
 * behaviour: the verdict is kept per client and shared by every execution it follows.
 */
export type HoldVerdict = 'unknown' | 'holds' | 'answersAtOnce';

/** The polling setting this policy reads: a hold in seconds (0: none) or `'auto'`. */
export type WaitSetting = number | 'auto';

/**
 * The hold `'auto'` asks for: the SDK's documented default, so a server that holds at all
 * is asked for nothing it does not already do, and well below the 60 s at which common
 * proxies and load balancers drop an idle connection.
 */
export const AUTO_WAIT_SECONDS = 30;

/** Share of the asked hold after which an answer with no change counts as held. */
export const HELD_SHARE = 0.5;

/** What one answered progress request showed. */
export interface HoldObservation {
  /** The hold the request asked for, in seconds (0: none). */
  askedSeconds: number;
  /** From sending the request to reading its answer, in ms (retries included). */
  answeredAfterMs: number;
  /** Whether status, percentage or message differ from the progress known before. */
  changed: boolean;
}

/** What the loop does after an answer. */
export interface HoldStep {
  /** The verdict to keep for the next request (of this execution and of the others). */
  verdict: HoldVerdict;
  /** The hold the next request asks for, in seconds (0: none). */
  waitSeconds: number;
  /** Whether the next request goes at once (a long poll that was held or brought news). */
  atOnce: boolean;
}

/**
 * The hold the next progress request asks for: a number setting as it is; `'auto'` asks
 * {@link AUTO_WAIT_SECONDS} until the server is seen answering at once, then none.
 */
export function holdToAsk(setting: WaitSetting, verdict: HoldVerdict): number {
  if (setting !== 'auto') return setting;
  return verdict === 'answersAtOnce' ? 0 : AUTO_WAIT_SECONDS;
}

/**
 * Whether an answer shows a hold: it asked for one, and came either after most of the asked
 * time with no change, or early with a change (a hold ends at a change). Retries only make
 * an answer later, so they never make a holding server look like one that answers at once.
 */
export function showsHold(seen: HoldObservation): boolean {
  return seen.askedSeconds > 0 && (seen.changed || seen.answeredAfterMs >= HELD_SHARE * seen.askedSeconds * 1000);
}

/**
 * The verdict after an answer. An answer to a request that asked for no hold tells nothing.
 * `answersAtOnce` is final: no hold is asked after it, and a request sent before it
 * (another execution's) must not flip it back.
 * @example judgeHold('unknown', { askedSeconds: 30, answeredAfterMs: 4, changed: false }) // 'answersAtOnce'
 */
export function judgeHold(verdict: HoldVerdict, seen: HoldObservation): HoldVerdict {
  if (verdict === 'answersAtOnce' || seen.askedSeconds <= 0) return verdict;
  return showsHold(seen) ? 'holds' : 'answersAtOnce';
}

/**
 * The decision after one answer: the verdict, the next request's hold, and whether that
 * request goes at once. Against a server that answers at once nothing goes at once after
 * the verdict, so the adaptive delay applies with no extra request.
 * @param setting - the `polling.waitSeconds` option
 */
export function nextHold(setting: WaitSetting, verdict: HoldVerdict, seen: HoldObservation): HoldStep {
  const next = judgeHold(verdict, seen);
  const waitSeconds = holdToAsk(setting, next);
  return { verdict: next, waitSeconds, atOnce: waitSeconds > 0 && showsHold(seen) };
}

/**
 * The delay before an execution's first poll: the idle cadence for an execution that waits;
 * at once whenever that poll asks for a hold (a number setting, or `'auto'` until the server
 * is seen answering at once); otherwise `intervalMs`. A held poll must start from what the
 * client knows: a server holds until the progress changes from what it was when the request
 * arrived, so a change that lands before the request is seen only at the next change or at
 * the end of the hold. Asked at once, that window is one round trip.
 */
export function firstDelayMs(
  polling: { intervalMs: number; idleIntervalMs: number; waitSeconds: WaitSetting },
  verdict: HoldVerdict,
  status: FlowStatus,
): number {
  if (isIdleStatus(status)) return polling.idleIntervalMs;
  return holdToAsk(polling.waitSeconds, verdict) > 0 ? 0 : polling.intervalMs;
}

/** A client's memory of its server's holds: created once per client, read and written by every poll loop. */
export interface HoldMemory {
  verdict: HoldVerdict;
}

/** A fresh {@link HoldMemory}: nothing known yet. */
export const createHoldMemory = (): HoldMemory => ({ verdict: 'unknown' });
