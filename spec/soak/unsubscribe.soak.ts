import { describe, expect, it } from '@jest/globals';
import { recordResults } from '../reliability/support/results';
import { expectCleanUnsubscribes, runUnsubscribeScenario, unsubscribeFigures } from '../reliability/support/unsubscribeScenario';

const CYCLES = 2_000;
const SLICES = 8;

describe('soak: no leaks', () => {
  it(`${CYCLES} run/unsubscribe cycles at random points: requests in flight aborted, no request after, nothing open, heap flat (real gc)`, async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('function');
    const report = await runUnsubscribeScenario({ cycles: CYCLES, warmupCycles: 200, slices: SLICES, seed: 11 });
    process.stdout.write(`unsubscribe soak: ${JSON.stringify(unsubscribeFigures(report))}\n`);

    expectCleanUnsubscribes(report);
    // The soak files share one process: an earlier file's environment freed during this run is
    // left out of the figure (see ownHeapGrowth); the figure must still cover most of the run.
    expect(Math.abs(report.heapDeltaPercent)).toBeLessThan(10);
    expect(report.heapSlicesLeftOut).toBeLessThanOrEqual(SLICES / 2);
    recordResults('soak', 'unsubscribe', unsubscribeFigures(report));
  });
});
