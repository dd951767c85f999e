import { describe, expect, it } from '@jest/globals';
import { recordResults } from './support/results';
import { expectCleanUnsubscribes, runUnsubscribeScenario, unsubscribeFigures } from './support/unsubscribeScenario';

// The soak (`npm run soak`) runs 2,000 after the same warm-up; 500 keep `npm test` quick.
const CYCLES = 500;

describe('no leaks: run/unsubscribe cycles (over the simulator HTTP server)', () => {
  it(`${CYCLES} cycles unsubscribed at random points abort every request in flight, send no request afterwards, leave nothing open, and give the heap back`, async () => {
    const report = await runUnsubscribeScenario({ cycles: CYCLES, slices: 4 });

    expectCleanUnsubscribes(report);
    for (const count of Object.values(report.byPoint)) expect(count).toBeGreaterThan(CYCLES / 10);
    expect(report.requestsSent).toBeGreaterThan(CYCLES);
    // A leak shows as growth. Jest runs several spec files in one worker, so the baseline may
    // still hold what an earlier file lets go of later (the heap then shrinks): only growth
    // fails, over the whole run and across the slices after the first.
    expect(report.heapDeltaPercent).toBeLessThan(10);
    const curve = report.heapCurveBytes;
    expect(((curve.at(-1)! - curve[0]!) / curve[0]!) * 100).toBeLessThan(10);
    recordResults('test', 'unsubscribe', unsubscribeFigures(report));
  }, 60_000);
});
