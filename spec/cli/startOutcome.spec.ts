import { describe, expect, it, jest } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from './support/cli';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);

describe('a start whose answer never came', () => {
  it('exits 4 ("may exist"), not 3, and says how to find the execution, when the server created it but its answer was held past --timeout', async () => {
    // The server creates the execution, sends half its answer and holds the rest.
    cli.server.simulator.setFaults({ slowBodyMs: 600_000, routes: ['start'] });
    try {
      const started = cli.server.simulator.stats.executionsStarted;
      const result = await cli.run(['run', builtInFlows.short.id, '--input', '-', '--timeout', '1s', '--json'], { stdin: '<a/>' });
      expect(cli.server.simulator.stats.executionsStarted - started).toBe(1);
      expect(result.code).toBe(4);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ type: 'error', error: 'SmartFlowsTimeoutError', executionMayExist: true });
      expect(result.stderr).toContain(`smart-flows list --flow ${builtInFlows.short.id}`);
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
  });

  it('makes batch exit 4 too, naming each such job and how to look for its execution, when its starts were sent and their answers held past --timeout', async () => {
    cli.server.simulator.setFaults({ slowBodyMs: 600_000, routes: ['start'] });
    try {
      const started = cli.server.simulator.stats.executionsStarted;
      const jobs = cli.file('held.csv', 'key,To\nH1,Ann\nH2,Bob\n');
      const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--timeout', '1s']);
      expect(cli.server.simulator.stats.executionsStarted - started).toBe(2);
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({
        code: 4,
        stderr: expect.stringContaining(`smart-flows list --flow ${builtInFlows.short.id}`),
      });
      expect(result.stderr).toMatch(/^ {2}H1\b/m);
      expect(result.stderr).toMatch(/^ {2}H2\b/m);
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
  });
});
