// Apart from holdPolicy.ts so that the client, which creates the memory, does not load the
// policy up front: the policy is used by the poll loop, which loads with the engine.

/**
 * What a client has learned about its server's long polls: nothing yet, that it holds a
 * progress call it asks to hold, or that it answers at once anyway. One server, one
 * behaviour: the verdict is kept per client and shared by every execution it follows.
 */
export type HoldVerdict = 'unknown' | 'holds' | 'answersAtOnce';

/** A client's memory of its server's holds: created once per client, read and written by every poll loop. */
export interface HoldMemory {
  verdict: HoldVerdict;
  /** When a verdict `answersAtOnce` expires, on the client's scheduler (see `REPROBE_AFTER_MS` in holdPolicy.ts). */
  reprobeAtMs: number;
}

/** A fresh {@link HoldMemory}: nothing known yet. */
export const createHoldMemory = (): HoldMemory => ({ verdict: 'unknown', reprobeAtMs: 0 });
