/* eslint-disable no-control-regex -- the point of this file is the terminal escape sequences */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { cleanEnv } from './support/cli';
import { LETTER } from './support/server';
import { useCliFixture } from './support/fixture';

// `script` (util-linux) runs the command under a pseudo-terminal, as a person's shell would.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const itWithPty = hasScript ? it : it.skip;

const cli = useCliFixture();
beforeAll(() => {
  cli.file('jobs.csv', 'key,To\nA1,Ann\nA2,Bob\nA3,Cid\n');
  cli.file('letter.xml', LETTER);
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI under a pseudo-terminal; gives everything the terminal showed. */
function underPty(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, cli.cli.file, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv({ ...cli.env, TERM: 'xterm', COLUMNS: '100', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (screen += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (screen += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

describe('smart-flows on a terminal', () => {
  itWithPty('draws the batch bar with the succeeded/failed/running counts in place, and colours the statuses', async () => {
    const { code, screen } = await underPty(['batch', join(cli.dir, 'jobs.csv'), '--flow', builtInFlows.short.id, '--concurrency', '2']);
    expect(code).toBe(0);
    expect(screen).toMatch(/\r\x1b\[2K[█░]{24} +\d+% \d\/3 {2}\x1b\[32m✔ \d\x1b\[39m {2}\x1b\[2m✘ 0\x1b\[22m {2}▶ \d running/);
    expect(screen).toMatch(/\x1b\[32mSuccess +\x1b\[39m A1 /);
    expect(screen).toContain('3 jobs in');
  });

  itWithPty('draws the run bar with percentage, status and message', async () => {
    const { code, screen } = await underPty(['run', builtInFlows.short.id, '-i', join(cli.dir, 'letter.xml')]);
    expect(code).toBe(0);
    expect(screen).toMatch(/\r\x1b\[2K░{24} +0% Running +Generate document/);
    expect(screen).toMatch(/\x1b\[32mSuccess\x1b\[39m {2}[0-9a-f-]{36}/);
  });

  itWithPty('draws no bar and no colour with NO_COLOR, even on a terminal', async () => {
    const { code, screen } = await underPty(['run', builtInFlows.short.id, '-i', join(cli.dir, 'letter.xml')], { NO_COLOR: '1' });
    expect(code).toBe(0);
    expect(screen).not.toMatch(/\x1b\[|█|░/);
    expect(screen).toMatch(/Success {2}[0-9a-f-]{36}/);
  });

  it('draws no bar when stderr is not a terminal', async () => {
    const result = await cli.run(['batch', join(cli.dir, 'jobs.csv'), '--flow', builtInFlows.short.id]);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/\x1b\[|█|░/);
  });
});
