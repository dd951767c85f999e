import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The benchmark charts in docs/img/bench-*.svg are drawn from bench/results.json by
// `npm run bench:charts` (scripts/bench-charts.mjs), never edited by hand: regenerated here and
// compared byte for byte. Vega is ESM only, so the script runs in a Node process of its own. The
// committed results.json is the reference when there is one (a bench may be rewriting the file).
const root = process.cwd();
const script = path.resolve(root, 'scripts/bench-charts.mjs');
const resultsPath = 'bench/results.json';

function committedResults(): string {
  try {
    return execFileSync('git', ['show', `HEAD:${resultsPath}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return readFileSync(path.resolve(root, resultsPath), 'utf8');
  }
}

const check = (results: string) =>
  spawnSync(process.execPath, [script, '--check', '--results=-'], { cwd: root, input: results, encoding: 'utf8' });

interface Results {
  parts: {
    overhead?: { rows: { cpuRatio: number }[] };
    peers?: { rows: { lagP95Ms: number }[] };
    fleet?: unknown;
  };
}

describe('Benchmark charts (docs/img/bench-*.svg)', () => {
  it('are what bench/results.json renders, byte for byte', () => {
    const run = check(committedResults());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('are refused when a figure of the ramp differs from results.json', () => {
    const results = JSON.parse(committedResults()) as Results;
    const rows = results.parts.overhead?.rows ?? [];
    expect(rows.length).toBeGreaterThan(0);
    const last = rows[rows.length - 1] as { cpuRatio: number };
    last.cpuRatio += 0.1;
    const run = check(JSON.stringify(results));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bench-ramp\.svg/);
    expect(run.stderr).not.toMatch(/bench-tracker\.svg/);
  });

  it('are refused when a peer moves in part 6', () => {
    const results = JSON.parse(committedResults()) as Results;
    const rows = results.parts.peers?.rows ?? [];
    expect(rows.length).toBeGreaterThan(0);
    const first = rows[0] as { lagP95Ms: number };
    first.lagP95Ms *= 2;
    const run = check(JSON.stringify(results));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bench-peers\.svg/);
  });

  it('draw the fleet chart from parts.fleet: other fleet figures than the committed ones are refused', () => {
    const results = JSON.parse(committedResults()) as Results;
    // Figures no bench gives (a fraction of a cycle's request at 7 executions): the committed
    // fleet chart, or its absence before the fleet bench has run, cannot match them.
    results.parts.fleet = {
      fleet: {
        listing: { listRequestsPerCycle: { perCycle: 0.123, live: 7 }, progressRequestsPerSecond: { perCycle: 0.456, live: 7 } },
        polling: { progressRequestsPerSecond: { perCycle: 0.789, live: 7 } },
      },
    };
    const run = check(JSON.stringify(results));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bench-fleet\.svg/);
  });

  it('are refused when a chart is committed whose data is gone', () => {
    const results = JSON.parse(committedResults()) as Results;
    delete results.parts.peers;
    const run = check(JSON.stringify(results));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bench-peers\.svg \(no data for it\)/);
  });
});
