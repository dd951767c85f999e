import type { VirtualTimeScheduler } from 'rxjs';
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

/** Like {@link startInVirtualTime}, with one concurrent call per input (all subscribed at virtual 0): stops when all ended. */
export async function startsInVirtualTime(client: SmartFlowsClient, scheduler: VirtualTimeScheduler, flowId: string, xmls: readonly string[], limitMs: number): Promise<StartSeen[]> {
  const all = xmls.map((xml) => {
    const seen: StartSeen = { done: false };
    client.startExecution(flowId, xml).subscribe({
      next: (v) => (seen.value = v as { id: string }),
      error: (e: unknown) => ((seen.error = e as never), (seen.done = true)),
      complete: () => (seen.done = true),
    });
    return seen;
  });
  for (let t = 0; !all.every((seen) => seen.done) && t < limitMs; t += 10) {
    await settle();
    scheduler.maxFrames = t;
    scheduler.flush();
    scheduler.frame = t;
  }
  await settle();
  return all;
}
