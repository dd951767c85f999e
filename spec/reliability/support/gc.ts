import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection. Uses `globalThis.gc` when node runs with `--expose-gc` (the soak
 * config), else turns the flag on at runtime and takes `gc` from a fresh context (a known V8
 * idiom), so the heap check also runs inside the plain `npm test` workers.
 */
export function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/** Used heap after a full collection, in bytes. */
export async function heapAfterGc(): Promise<number> {
  // Let pending callbacks (socket closes, aborted fetches) run before collecting.
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
