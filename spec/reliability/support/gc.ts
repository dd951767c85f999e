import { getHeapStatistics, setFlagsFromString } from 'node:v8';
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

/** The heap after a collection that converged (see {@link heapAfterGc}). */
export interface HeapReading {
  /** `process.memoryUsage().heapUsed`, in bytes. */
  bytes: number;
  /**
   * V8's count of native contexts (realms) alive: Node's own, the test file's Jest environment,
   * and any environment of an earlier test file that this process has not let go of yet.
   */
  contexts: number;
}

/** Most rounds {@link heapAfterGc} runs (it usually converges in 2 or 3). */
const MAX_ROUNDS = 10;
/** A round that frees less than this is taken as converged. */
const CONVERGED_BYTES = 64 * 1024;

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/**
 * Used heap after collections repeated until they free nothing more, with the number of native
 * contexts alive. Each round lets the event loop turn before collecting: the garbage of an
 * earlier Jest test file (its whole environment, about 10 MB) is only freed by a collection
 * that follows a turn in which Node's weak callbacks ran, so two back-to-back `gc()` calls
 * left it counted (measured on `npm run soak`, Node 20: 57 MB after them, 47 MB one round later,
 * native contexts 4 → 3).
 */
export async function heapAfterGc(): Promise<HeapReading> {
  // Let pending callbacks (socket closes, aborted fetches) run before collecting.
  await turns(5);
  collectGarbage();
  let reading = read();
  for (let round = 1; round < MAX_ROUNDS; round++) {
    await turns(3);
    collectGarbage();
    const next = read();
    const converged = next.contexts === reading.contexts && reading.bytes - next.bytes < CONVERGED_BYTES;
    reading = next;
    if (converged) break;
  }
  return reading;
}

function read(): HeapReading {
  return { bytes: process.memoryUsage().heapUsed, contexts: getHeapStatistics().number_of_native_contexts };
}

/** What {@link ownHeapGrowth} found in a series of readings. */
export interface HeapGrowth {
  /** Growth over the steps in which the set of contexts did not change, in bytes (negative: it shrank). */
  bytes: number;
  /** `bytes` as a percentage of the smallest reading. */
  percent: number;
  /** Steps (between consecutive readings) counted in `bytes`. */
  stepsMeasured: number;
  /** Steps left out because a context came or went during them, and the heap change over them, in bytes. */
  stepsLeftOut: number;
  bytesLeftOut: number;
}

/**
 * The heap growth a scenario caused itself, from readings taken after each slice of it (the
 * first one its baseline). Jest runs test files one after another in a process (`--runInBand`,
 * or a worker's files), and an earlier file's environment may still be in the heap at the
 * baseline and be freed during the run — 10 MB at once, seen as a -17 % "leak". Such a release
 * shows as a change in the count of native contexts, so the steps in which it changed are left
 * out; a leak of the scenario's own grows the heap step after step, and is still counted in all
 * the other steps.
 */
export function ownHeapGrowth(readings: readonly HeapReading[]): HeapGrowth {
  let bytes = 0;
  let stepsMeasured = 0;
  let bytesLeftOut = 0;
  for (let i = 1; i < readings.length; i++) {
    const step = readings[i]!.bytes - readings[i - 1]!.bytes;
    if (readings[i]!.contexts === readings[i - 1]!.contexts) {
      bytes += step;
      stepsMeasured++;
    } else bytesLeftOut += step;
  }
  const smallest = Math.min(...readings.map((r) => r.bytes));
  return { bytes, percent: (bytes / smallest) * 100, stepsMeasured, stepsLeftOut: readings.length - 1 - stepsMeasured, bytesLeftOut };
}
