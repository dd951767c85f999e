import { describe, expect, it } from '@jest/globals';
import { crashRun } from './support/crashRun';

describe('a journaled batch whose process is SIGKILLed and restarted', () => {
  it('ends with exactly one execution per job and the true outcome of each (200 jobs, ≥ 20 kills)', async () => {
    const figures = await crashRun({ jobs: 200, kills: 21, seed: Number(process.env.CRASH_SEED ?? 12) });
    // The figures go to the report; the assertions below are what must hold.
    process.stdout.write(`crash test: ${JSON.stringify(figures)}\n`);
    expect(figures.kills).toBeGreaterThanOrEqual(20);
    expect(figures.killsBetweenStartAndAnswer).toBeGreaterThanOrEqual(5);
    expect(figures).toMatchObject({ executions: 200, duplicates: 0, missing: 0, outcomeMismatches: 0, uncertain: 0, tornLines: 0 });
    expect(figures.adopted).toBeGreaterThanOrEqual(figures.killsBetweenStartAndAnswer);
  }, 180_000);
});
