import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import type { ExecutionEvent } from '../api/types';
import { cancelWhenLeft } from './cancelWhenLeft';
import { deadline } from './deadline';

/** What bounds one subscriber's stream: its own time limit, and whether leaving cancels. */
export interface FollowerLimits {
  /** From subscription to the end, in ms; 0 = none. */
  timeoutMs: number;
  /** Send the cancel when the subscriber leaves while the execution may still run. */
  cancelOnUnsubscribe: boolean;
  /** The execution's id when known before any event (`watch`), for the timeout's error. */
  knownId?: string;
}

/**
 * The one composition of a follower's timeout and cancel-on-leave, used by every entry point
 * (`run`, `watch`, the batch's follow, the tracker; through them the Angular and BullMQ
 * entries). The timeout ({@link deadline}) sits inside the cancel ({@link cancelWhenLeft}):
 * an expired timeout *errors* the stream, and an errored stream has ended, so it sends no
 * cancel. Only an unsubscription while the execution may still run sends one. A timeout
 * ends that subscriber's stream; the execution goes on on the server. (The same rule for the
 * start, whose id is not known yet, is `keepStartWhenLeft`, which `followExecution` applies.)
 * @param cancel - sends the cancel for an id (fire-and-forget, bounded in time); a shared
 *   loop passes one that sends only when this subscriber's leaving stopped the loop
 */
export function followerBounds(
  limits: FollowerLimits,
  cancel: (executionId: string) => Observable<unknown>,
  scheduler: SchedulerLike,
): MonoTypeOperatorFunction<ExecutionEvent> {
  const timed = deadline(limits.timeoutMs, scheduler, limits.knownId);
  if (!limits.cancelOnUnsubscribe) return timed;
  const leave = cancelWhenLeft(cancel, scheduler);
  return (source) => leave(timed(source));
}
