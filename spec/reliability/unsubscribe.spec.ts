import { describe, expect, it } from 'vitest';
import { recordResults } from './support/results';
import { expectCleanUnsubscribes, runUnsubscribeScenario, unsubscribeFigures } from './support/unsubscribeScenario';

// The soak (`npm run soak`) runs 2,000 after the same warm-up; 500 keep `npm test` quick.
const CYCLES = 500;

describe('no leaks: run/unsubscribe cycles (over the simulator HTTP server)', () => {
  it(`${CYCLES} cycles unsubscribed at random points abort every request in flight, send no request afterwards, leave nothing open, and give the heap back`, async () => {
    const report = await runUnsubscribeScenario({ cycles: CYCLES });

    expectCleanUnsubscribes(report);
    for (const count of Object.values(report.byPoint)) expect(count).toBeGreaterThan(CYCLES / 10);
    expect(report.requestsSent).toBeGreaterThan(CYCLES);
    expect(Math.abs(report.heapDeltaPercent)).toBeLessThan(10);
    recordResults('test', 'unsubscribe', unsubscribeFigures(report));
  }, 60_000);
});
