import { describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { cleanEnv, jsonLines } from './support/cli';
import { executions, slowFlow } from './support/server';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);

/** Starts the CLI with the reading end of its stdout closed at once: `smart-flows … | head -0`. */
function withClosedStdout(args: string[]) {
  const run = cli.start(args);
  run.child.stdout?.destroy();
  return run.done;
}

/** What a crash leaves on stderr: a stack trace, or Node's own words for the error. */
const CRASH = /EPIPE|^\s+at |node:internal|Error:/m;

describe('a closed stdout pipe', () => {
  it('stops list quietly with exit 141 (as if killed by SIGPIPE), no stack trace', async () => {
    const result = await withClosedStdout(['list']);
    expect(result.code).toBe(141);
    expect(result.stderr).not.toMatch(CRASH);
  });

  it('stops batch --json quietly with exit 141, its journal whole and resumable', async () => {
    const jobs = cli.file('pipe.csv', `key,To\n${['P1', 'P2', 'P3', 'P4'].map((k) => `${k},Ann`).join('\n')}\n`);
    const journal = join(cli.dir, 'pipe.journal');
    const args = ['batch', jobs, '--flow', builtInFlows.short.id, '--journal', journal, '--concurrency', '2', '--json'];
    const stopped = await withClosedStdout(args);
    expect(stopped.code).toBe(141);
    expect(stopped.stderr).not.toMatch(CRASH);
    expect(readFileSync(journal, 'utf8').endsWith('\n')).toBe(true);

    const resumed = await cli.run(args);
    expect(resumed.code).toBe(0);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'summary', total: 4, succeeded: 4, failed: 0 });
  });

  it('on a full disk (stdout is /dev/full: ENOSPC), stops the batch as on Ctrl-C, says why on stderr and names what goes on (exit 1)', async () => {
    const jobs = cli.file('full.csv', 'key,To\nF1,Ann\nF2,Bob\n');
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [cli.cli.file, 'batch', jobs, '--flow', slowFlow.id, '--json'], { env: cleanEnv(cli.env), stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const mine = (await executions(cli.server)).filter((e) => e.status === 'Running' && e.flow?.id === slowFlow.id);
    await Promise.all(mine.map((e) => cli.run(['cancel', e.id])));
    expect({ code, stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(/^smart-flows: cannot write to standard output \(ENOSPC\)/m) });
    expect(stderr).not.toMatch(/^\s+at |node:internal/m);
    // Each execution it started is named (by id, or as a start whose answer was not seen).
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) expect(stderr).toContain(e.id);
  });
});
