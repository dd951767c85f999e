import type { Observable, VirtualTimeScheduler } from 'rxjs';
import type { SmartFlowsClient } from '../../lib/client';

/** What one `startExecution` call gave: its value, or its error, and whether it ended. */
export interface StartSeen {
  value?: { id: string };
  error?: { status?: number; executionMayExist?: boolean; executionId?: string };
  done: boolean;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs one `client.startExecution(flowId, xml)` to its end on `scheduler` (the client's), 10 ms of
 * virtual time at a time, letting the fake server's promises settle between steps (its answers
 * are promises: a marble run alone would not see them). Stops at the call's end or at `limitMs`.
 */
export async function startInVirtualTime(client: SmartFlowsClient, scheduler: VirtualTimeScheduler, flowId: string, xml: string, limitMs: number): Promise<StartSeen> {
  return (await startsInVirtualTime(client, scheduler, flowId, [xml], limitMs))[0]!;
}

/** Like {@link startInVirtualTime}, with one concurrent call per input (all subscribed at once): stops when all ended. */
export function startsInVirtualTime(client: SmartFlowsClient, scheduler: VirtualTimeScheduler, flowId: string, xmls: readonly string[], limitMs: number): Promise<StartSeen[]> {
  return allInVirtualTime(xmls.map((xml) => client.startExecution(flowId, xml)), scheduler, limitMs) as Promise<StartSeen[]>;
}

/** What one call gave: its last value, or its error, and whether it ended. */
export interface CallSeen<T> {
  value?: T;
  error?: unknown;
  done: boolean;
}

/** Runs any call of a client on `scheduler` to its end, as {@link startInVirtualTime} does. */
export async function inVirtualTime<T>(source$: Observable<T>, scheduler: VirtualTimeScheduler, limitMs: number): Promise<CallSeen<T>> {
  return (await allInVirtualTime([source$], scheduler, limitMs))[0]!;
}

/** Runs calls side by side on `scheduler` (all subscribed at once), until all ended or `limitMs`. */
async function allInVirtualTime<T>(sources: readonly Observable<T>[], scheduler: VirtualTimeScheduler, limitMs: number): Promise<CallSeen<T>[]> {
  const all = sources.map((source$) => {
    const seen: CallSeen<T> = { done: false };
    source$.subscribe({
      next: (v) => (seen.value = v),
      error: (e: unknown) => ((seen.error = e), (seen.done = true)),
      complete: () => (seen.done = true),
    });
    return seen;
  });
  // From the scheduler's present on (a call run after another keeps the clock going forward).
  const from = scheduler.frame;
  for (let t = from; !all.every((seen) => seen.done) && t < from + limitMs; t += 10) {
    await settle();
    scheduler.maxFrames = t;
    scheduler.flush();
    scheduler.frame = t;
  }
  await settle();
  return all;
}
