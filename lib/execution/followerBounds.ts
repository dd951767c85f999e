import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import { redactionOf } from '../api/redaction';
import type { ExecutionEvent } from '../api/types';
import type { SecretBook } from '../internal/secretBook';
import { cancelWhenLeft } from './cancelWhenLeft';
import { deadline } from './deadline';
import { endOnAbort } from './endOnAbort';

/** What bounds one subscriber's stream: its own time limit, its signal, and whether leaving cancels. */
export interface FollowerLimits {
  /** From subscription to the end, in ms; 0 = none. */
  timeoutMs: number;
  /** Send the cancel when the subscriber leaves while the execution may still run. */
  cancelOnUnsubscribe: boolean;
  /** The execution's id when known before any event (`watch`), for the timeout's error. */
  knownId?: string;
  /** The subscriber's `signal`: an abort leaves the stream (as an unsubscription), then errors it. */
  signal?: AbortSignal;
  /** The client's secrets, redacted from the server's text a timeout error keeps. */
  secrets?: SecretBook;
}

const eventId = (event: ExecutionEvent) => event.executionId;

/**
 * The one composition of a follower's timeout, signal and cancel-on-leave, used by every entry
 * point (`run`, `watch`, the batch's follow, the tracker; through them the Angular and BullMQ
 * entries). The timeout ({@link deadline}) sits inside the cancel ({@link cancelWhenLeft}):
 * an expired timeout *errors* the stream, and an errored stream has ended, so it sends no
 * cancel. The signal ({@link endOnAbort}) sits outside it: an abort *leaves* the stream first,
 * as an unsubscription does (so it cancels when `cancelOnUnsubscribe` asks), then errors it.
 * A timeout or an abort ends that subscriber's stream only; the execution goes on on the server
 * unless a cancel was asked for. (The same rule for the start, whose id is not known yet, is
 * `keepStartWhenLeft`, which `followExecution` applies.)
 * @param cancel - sends the cancel for an id (fire-and-forget, bounded in time); a shared
 *   loop passes one that sends only when this subscriber's leaving stopped the loop
 */
export function followerBounds(
  limits: FollowerLimits,
  cancel: (executionId: string) => Observable<unknown>,
  scheduler: SchedulerLike,
): MonoTypeOperatorFunction<ExecutionEvent> {
  const timed = deadline(limits.timeoutMs, scheduler, limits.knownId, redactionOf(limits.secrets));
  const left = limits.cancelOnUnsubscribe ? cancelWhenLeft(cancel, scheduler, limits.knownId) : undefined;
  // A run starts its execution: aborted before its first event, the start may have reached the server.
  const abort = limits.signal !== undefined ? endOnAbort(limits.signal, { idOf: eventId, starts: limits.knownId === undefined, ...(limits.knownId ? { knownId: limits.knownId } : {}) }) : undefined;
  if (!left && !abort) return timed;
  return (source) => {
    const bounded = left ? left(timed(source)) : timed(source);
    return abort ? abort(bounded) : bounded;
  };
}
