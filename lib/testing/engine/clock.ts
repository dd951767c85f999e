import type { SimulatorClock, VirtualClock } from '../types.js';

// Node turns a delay above 2^31-1 ms into 1 ms; clamp so a huge delay never busy-loops.
const MAX_TIMER_MS = 2_147_483_647;

/** The wall clock: `Date.now()` and the platform timers. */
export const realClock: SimulatorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS)),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface VirtualTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * Creates a clock that stands still until `advance` moves it, for tests.
 *
 * @param startMs - The initial time, in ms since the epoch. @default 2024-01-01T00:00:00Z
 * @returns A {@link VirtualClock}.
 * @example
 * const clock = createVirtualClock();
 * const simulator = createSimulator({ clock });
 * clock.advance(1_000); // every execution moves one second on
 */
export function createVirtualClock(startMs = Date.UTC(2024, 0, 1)): VirtualClock {
  let nowMs = startMs;
  let nextId = 1;
  const timers: VirtualTimer[] = [];

  // Earliest first; equal times in the order they were set.
  const takeDue = (untilMs: number): VirtualTimer | undefined => {
    let best: VirtualTimer | undefined;
    for (const t of timers) {
      if (t.at <= untilMs && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    if (best) timers.splice(timers.indexOf(best), 1);
    return best;
  };

  return {
    now: () => nowMs,
    setTimeout(fn, ms) {
      const timer = { id: nextId++, at: nowMs + Math.max(0, ms), fn };
      timers.push(timer);
      return timer.id;
    },
    clearTimeout(handle) {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      const until = nowMs + Math.max(0, ms);
      for (let t = takeDue(until); t; t = takeDue(until)) {
        nowMs = t.at;
        t.fn();
      }
      nowMs = until;
    },
    async advanceAsync(ms) {
      const until = nowMs + Math.max(0, ms);
      await settle();
      for (let t = takeDue(until); t; t = takeDue(until)) {
        nowMs = t.at;
        t.fn();
        await settle();
      }
      nowMs = until;
      await settle();
    },
    get pendingTimers() {
      return timers.length;
    },
  };
}

// A macrotask turn lets every queued promise continuation run. `setImmediate` where there is
// one (Node): a `setTimeout(0)` waits at least 1 ms, and a virtual minute in small steps takes
// thousands of turns.
const macrotask: (resolve: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (resolve) => globalThis.setImmediate(resolve) : (resolve) => globalThis.setTimeout(resolve, 0);
function settle(): Promise<void> {
  return new Promise(macrotask);
}
