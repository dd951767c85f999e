import { describe, expect, it } from '@jest/globals';
import { expectCleanUnsubscribes, runUnsubscribeScenario } from '../reliability/support/unsubscribeScenario';

const CYCLES = 2_000;

describe('soak: no leaks', () => {
  it(`${CYCLES} run/unsubscribe cycles at random points: no request after, nothing open, heap flat (real gc)`, async () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('function');
    const report = await runUnsubscribeScenario({ cycles: CYCLES, warmupCycles: 200, slices: 4, seed: 11 });
    console.info('[soak] unsubscribe', JSON.stringify({ ...report, unhandledRejections: report.unhandledRejections.length, requestsAfterUnsubscribe: report.requestsAfterUnsubscribe.slice(0, 5) }));

    expectCleanUnsubscribes(report);
    expect(Math.abs(report.heapDeltaPercent)).toBeLessThan(10);
  });
});
