import { describe, expect, it } from '@jest/globals';
import { crashRun } from '../batch/support/crashRun';

// The long version of spec/batch/crash.spec.ts: more jobs, more kills, a seed per run.
describe('a journaled batch whose process is SIGKILLed and restarted (soak)', () => {
  it('ends with exactly one execution per job and the true outcome of each (400 jobs, ≥ 60 kills)', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const figures = await crashRun({ jobs: 400, kills: 60, seed });
    process.stdout.write(`crash soak (seed ${seed}): ${JSON.stringify(figures)}\n`);
    // The kills are tied to the batch's progress (see crashRun): all 60 land before it can end.
    expect(figures.kills).toBe(60);
    expect(figures.killsBetweenStartAndAnswer).toBe(20);
    expect(figures).toMatchObject({ executions: 400, duplicates: 0, missing: 0, outcomeMismatches: 0, uncertain: 0 });
  }, 900_000);
});
