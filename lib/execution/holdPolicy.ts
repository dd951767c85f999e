import { isIdleStatus } from '../api/status';
import type { FlowStatus } from '../api/types';
import type { HoldMemory, HoldVerdict } from './holdMemory';

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

/**
 * How long the verdict `answersAtOnce` is kept: then a long poll is tried again (a probe, at
 * once after a plain poll that saw no change), so one quick answer (a hiccup, a proxy, a
 * restart) does not end long polling for the client's whole life. Against a server that never
 * holds, a probe costs one request for each execution polling at that moment (about 1 % of
 * five minutes of polls at `maxIntervalMs`), and its quick answer sets the verdict again.
 */
export const REPROBE_AFTER_MS = 5 * 60_000;

/** What one answered progress request showed. */
export interface HoldObservation {
  /** The hold the request asked for, in seconds (0: none). */
  askedSeconds: number;
  /** From sending the request to reading its answer, in ms on the client's scheduler (retries included). */
  answeredAfterMs: number;
  /** Whether status, percentage or message differ from the progress known before. */
  changed: boolean;
}

/**
 * How many quick answers with news in a row, from a server that has shown it holds, are each
 * followed at once; the next one waits `intervalMs`. A holding server answers a held poll at
 * the next change, so long polling follows each change at once; this bounds the rate (at most
 * this many requests plus one per `intervalMs`) where the progress changes faster than polls
 * are worth it (a message that changes on every read). Eight: a flow of eight short stages and
 * its end is still followed change by change.
 */
export const QUICK_NEWS_LIMIT = 8;

/** What the loop does after an answer. */
export interface HoldStep {
  /** The verdict to keep for the next request (of this execution and of the others). */
  verdict: HoldVerdict;
  /** The hold the next request asks for, in seconds (0: none). */
  waitSeconds: number;
  /** Whether the next request goes at once: a hold shown by this answer, or news from a server that has shown it holds. */
  atOnce: boolean;
  /** Quick answers with news followed at once in a row, this one included (0 after a hold shown by duration, or a wait). */
  quickNews: number;
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
 * Whether an answer shows a hold, judged only by how long the server took: it asked for one,
 * and came after most of the asked time with no change, or with a change after at least
 * `intervalMs` (a hold ends at a change). A quick answer with a change shows nothing: a server
 * that never holds gives the same when its message changes on every read. So a request sent
 * at once after a hold follows one that took at least `intervalMs`: polls never come faster
 * than `intervalMs` unless the server held. Retries only make an answer later.
 * @param intervalMs - the `polling.intervalMs` option
 */
export function showsHold(seen: HoldObservation, intervalMs: number): boolean {
  if (seen.askedSeconds <= 0) return false;
  return seen.answeredAfterMs >= (seen.changed ? intervalMs : HELD_SHARE * seen.askedSeconds * 1000);
}

/**
 * The verdict after an answer. An answer to a request that asked for no hold tells nothing,
 * nor does a quick answer with a change. `answersAtOnce` stays (a request sent before it,
 * another execution's, must not flip it back) until it expires (see {@link verdictAt}).
 * @example judgeHold('unknown', { askedSeconds: 30, answeredAfterMs: 4, changed: false }, 900) // 'answersAtOnce'
 */
export function judgeHold(verdict: HoldVerdict, seen: HoldObservation, intervalMs: number): HoldVerdict {
  if (verdict === 'answersAtOnce' || seen.askedSeconds <= 0) return verdict;
  if (showsHold(seen, intervalMs)) return 'holds';
  return seen.changed ? verdict : 'answersAtOnce';
}

/**
 * The decision after one answer: the verdict, the hold a long poll asks, and whether the next
 * request goes at once (a long poll). At once: after an answer that shows a hold by its
 * duration (see {@link showsHold}); after a quick answer with news from a server whose verdict
 * is `holds` (shown by an earlier duration), at most {@link QUICK_NEWS_LIMIT} times in a row;
 * after a plain poll (one sent after a wait, see {@link holdForPoll}) that saw no change, so
 * long polling starts again from what the client knows. A server never seen holding is never
 * polled faster than `intervalMs`.
 * @param setting - the `polling.waitSeconds` option
 * @param intervalMs - the `polling.intervalMs` option
 * @param quickNews - the `quickNews` of this execution's previous step (0 at first)
 */
export function nextHold(setting: WaitSetting, verdict: HoldVerdict, seen: HoldObservation, intervalMs: number, quickNews = 0): HoldStep {
  const next = judgeHold(verdict, seen, intervalMs);
  const waitSeconds = holdToAsk(setting, next);
  const step = (atOnce: boolean, news = 0): HoldStep => ({ verdict: next, waitSeconds, atOnce, quickNews: news });
  if (waitSeconds <= 0) return step(false);
  if (showsHold(seen, intervalMs)) return step(true);
  if (seen.changed) return next === 'holds' && quickNews < QUICK_NEWS_LIMIT ? step(true, quickNews + 1) : step(false);
  return step(seen.askedSeconds <= 0 && next !== 'answersAtOnce');
}

/**
 * The hold one poll asks. A server that holds answers when the progress changes from what it
 * was when the request *arrived*: a long poll sent after a wait would see a change made during
 * that wait only at the next change or at the end of the hold (a form asked in that second shown
 * up to 30 s late). So only a poll sent at once after an answer asks a hold; a poll after a
 * wait asks none (a plain poll), unless the server is known to answer at once anyway.
 * @param delayMs - the wait before this poll (0: at once after an answer)
 */
export function holdForPoll(setting: WaitSetting, verdict: HoldVerdict, delayMs: number): number {
  return delayMs === 0 || verdict === 'answersAtOnce' ? holdToAsk(setting, verdict) : 0;
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

// The memory itself is in its own module: the client creates it up front, this policy loads with the engine.
export { createHoldMemory, type HoldMemory, type HoldVerdict } from './holdMemory';

/** The verdict in force at `nowMs`: `answersAtOnce` reads as `unknown` once it has expired, so the next request probes again. */
export const verdictAt = (memory: HoldMemory, nowMs: number): HoldVerdict =>
  memory.verdict === 'answersAtOnce' && nowMs >= memory.reprobeAtMs ? 'unknown' : memory.verdict;

/**
 * Keeps the verdict of a step: a newly reached `answersAtOnce` lasts {@link REPROBE_AFTER_MS}.
 * @param before - the verdict in force when the answer came (see {@link verdictAt})
 */
export function keepVerdict(memory: HoldMemory, before: HoldVerdict, next: HoldVerdict, nowMs: number): void {
  if (next === 'answersAtOnce' && before !== 'answersAtOnce') memory.reprobeAtMs = nowMs + REPROBE_AFTER_MS;
  memory.verdict = next;
}
