import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture({ server: false });

describe('smart-flows simulator', () => {
  it('serves the built-in flows until Ctrl-C, so the other commands run against it; exit 0', async () => {
    const simulator = cli.start(['simulator', '--port', '0', '--json']);
    await simulator.waitFor(/\n/, 'stdout');
    const [listening] = jsonLines(simulator.output().stdout);
    expect(listening).toMatchObject({ type: 'listening', apiKey: 'sim-api-key', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect((listening!.flows as { id: string }[]).map((f) => f.id)).toEqual(Object.values(builtInFlows).map((f) => f.id));

    const env = { SMART_FLOWS_URL: listening!.url as string, SMART_FLOWS_API_KEY: listening!.apiKey as string };
    const run = await cli.run(['run', builtInFlows.short.id, '--input', '-'], { env, stdin: '<Letter/>' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Success /);

    simulator.child.kill('SIGINT');
    const result = await simulator.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Simulator stopped.');
  });

  it('prints the exports to paste, and refuses a port in use with exit 2', async () => {
    const first = cli.start(['simulator']);
    await first.waitFor(/SMART_FLOWS_API_KEY=sim-api-key/, 'stdout');
    const port = /127\.0\.0\.1:(\d+)/.exec(first.output().stdout)![1]!;
    const second = await cli.run(['simulator', '--port', port]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`port ${port} is in use`);
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
  });
});

