/**
 * Open-handle checks through the runtime's own list (`process.getActiveResourcesInfo()`),
 * not assumed: counts by kind before a scenario, then waits until the kinds the client or
 * the server could leave behind (sockets, servers, timers) are back to their start.
 */

/** The resource kinds a leak would show as. */
export const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate'] as const;

export type ResourceCounts = Record<string, number>;

/** Active resources of this process, counted by kind. */
export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kinds with more resources now than in `before` (only the watched kinds). */
export function excess(before: ResourceCounts, now: ResourceCounts = activeResources()): ResourceCounts {
  const out: ResourceCounts = {};
  for (const kind of WATCHED) {
    const extra = (now[kind] ?? 0) - (before[kind] ?? 0);
    if (extra > 0) out[kind] = extra;
  }
  return out;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits (event-driven: one `setImmediate` per turn, no timer of its own that could count)
 * until nothing is in excess of `before`, or `maxMs` passed; returns what is still in excess.
 * Sockets closed by the peer need a few turns of the loop to be released; on a loaded machine
 * those turns can take seconds, so the bound is generous (it returns as soon as all is released).
 */
export async function settledExcess(before: ResourceCounts, maxMs = 10_000): Promise<ResourceCounts> {
  const until = Date.now() + maxMs;
  let left = excess(before);
  while (Object.keys(left).length > 0 && Date.now() < until) {
    await tick();
    left = excess(before);
  }
  return left;
}
