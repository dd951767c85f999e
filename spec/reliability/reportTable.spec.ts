import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The Reliability table of docs/reliability.md is rendered from
// spec/reliability/results.json (npm run reliability:report), never typed in. The specs of this
// run may be rewriting the file as this one runs, so the committed file is the reference when
// there is one: what is committed must agree with itself.
const root = process.cwd();
const script = path.resolve(root, 'spec/reliability/report.mjs');
const resultsPath = 'spec/reliability/results.json';

function committedResults(): string {
  try {
    return execFileSync('git', ['show', `HEAD:${resultsPath}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return readFileSync(path.resolve(root, resultsPath), 'utf8');
  }
}

const check = (results: string) =>
  spawnSync(process.execPath, [script, '--check', '--results=-'], { cwd: root, input: results, encoding: 'utf8' });

describe('Reliability table', () => {
  it('in docs/reliability.md is what the results file renders', () => {
    const run = check(committedResults());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('is refused when a figure differs from the results file', () => {
    const results = JSON.parse(committedResults()) as { test?: { figures: { faults?: { executions: number } } } };
    expect(results.test?.figures.faults?.executions).toBeGreaterThan(0);
    (results.test as { figures: { faults: { executions: number } } }).figures.faults.executions += 1;
    const run = check(JSON.stringify(results));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/table in docs\/reliability\.md differs from spec\/reliability\/results\.json/);
  });
});
