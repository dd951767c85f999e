import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from './support/cli';
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
});
