import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { processBundleOptions } from '../helpers/processBundle';

// injectBatch on Angular's real signals and effects (@angular/core, zoneless) against the
// simulator's HTTP server. The scenarios run in a child process on a bundle of the sources
// (spec/angular/support/injectBatchDriver.ts): @angular/core ships only ES modules, which this
// Jest setup does not compile. Issue 24, suspicion: `retry()` without a journal ran the jobs
// that had succeeded again, and an equal recomputed jobs list restarted the batch.

let bundle: string;
beforeAll(async () => {
  const dir = resolve(process.cwd(), 'node_modules/.cache/smart-flows-rx-angular');
  mkdirSync(dir, { recursive: true });
  bundle = join(dir, `injectBatch-${process.pid}.mjs`);
  const options = processBundleOptions(resolve(process.cwd(), 'spec/angular/support/injectBatchDriver.ts'), bundle);
  const alias = { ...options.alias, 'rxjs/operators': resolve(process.cwd(), 'node_modules/rxjs/dist/esm/operators/index.js'), 'smart-flows-rx': resolve(process.cwd(), 'lib/index.ts') };
  await build({ ...options, alias });
}, 60_000);
afterAll(() => rmSync(bundle, { force: true }));

/** Runs one scenario of the driver; its JSON line, or its error. */
function scenario(name: string): Promise<Record<string, any>> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [bundle, name], { timeout: 60_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const output = JSON.parse(line) as { result?: Record<string, any>; error?: string };
        if (output.error) return fail(new Error(`${name}: ${output.error}`));
        done(output.result!);
      } catch {
        fail(new Error(`${name}: no result (${error?.message ?? ''}) ${stderr.slice(-2000)}`));
      }
    });
  });
}

describe('injectBatch', () => {
  it('retry() runs again only the jobs that did not succeed, keeping the succeeded items as they were', async () => {
    const r = await scenario('retry');
    expect(r.first.states).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(r.startsBefore).toEqual({ short: 1, error: 1, warning: 1 });
    // Only the failed job (key '1', its index in the whole list) started again.
    expect(r.startsAfter).toEqual({ short: 1, error: 2, warning: 1 });
    expect(r.after.keys).toEqual(['letter', '1', 'warn']);
    expect(r.after.states).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(r.sameExecution).toEqual([true, false, true]);
    expect(r.sameItemObject).toEqual([true, false, true]);
    expect(r.after.counts).toEqual({ total: 3, queued: 0, running: 0, succeeded: 2, failed: 1 });
    expect(r.after).toMatchObject({ percentage: 100, done: true });
  }, 60_000);

  it('does not restart for a recomputed jobs list equal to the last (same keys, flows and inputs); a changed one starts a new batch', async () => {
    const r = await scenario('recompute');
    expect(r.startsAtEnd).toBe(2);
    expect(r.idsAtEnd).toEqual(r.ids);
    expect(r.states).toEqual(['succeeded', 'succeeded']);
    expect(r.startsAfterChange).toBeGreaterThan(2);
  }, 60_000);
});
