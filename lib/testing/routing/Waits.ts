import type { SimulatorClock } from '../types.js';

interface PendingWait {
  handle: unknown;
  finish: (elapsed: boolean) => void;
}

/**
 * Every delay the simulator takes (latency, long polls, slow bodies) goes through here,
 * on the simulator's clock, so `disposeAll` can stop them all and leave no timer behind.
 */
export class Waits {
  private readonly pending = new Set<PendingWait>();

  constructor(private readonly clock: SimulatorClock) {}

  /** Number of waits not yet finished. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Resolves `true` after `ms` clock milliseconds, or `false` as soon as `signal` aborts
   * or the simulator is disposed. The timer is set synchronously, before this returns.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry: PendingWait = {
        handle: undefined,
        finish: (elapsed) => {
          if (!this.pending.delete(entry)) return;
          this.clock.clearTimeout(entry.handle);
          signal?.removeEventListener('abort', onAbort);
          resolve(elapsed);
        },
      };
      const onAbort = () => entry.finish(false);
      this.pending.add(entry);
      entry.handle = this.clock.setTimeout(() => entry.finish(true), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends every pending wait at once (as if aborted). */
  disposeAll(): void {
    for (const entry of [...this.pending]) entry.finish(false);
  }
}
