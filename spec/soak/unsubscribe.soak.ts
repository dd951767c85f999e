import { describe, expect, it } from '@jest/globals';
import { recordResults } from '../reliability/support/results';
import { expectCleanUnsubscribes, runUnsubscribeScenario, unsubscribeFigures } from '../reliability/support/unsubscribeScenario';

const CYCLES = 2_000;

describe('soak: no leaks', () => {
  it(`${CYCLES} run/unsubscribe cycles at random points: requests in flight aborted, no request after, nothing open, heap flat (real gc)`, async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('function');
    const report = await runUnsubscribeScenario({ cycles: CYCLES, warmupCycles: 200, slices: 4, seed: 11 });

    expectCleanUnsubscribes(report);
    expect(Math.abs(report.heapDeltaPercent)).toBeLessThan(10);
    recordResults('soak', 'unsubscribe', unsubscribeFigures(report));
  });
});
