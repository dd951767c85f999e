import { describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { executions, LETTER, slowFlow, testClient } from '../support/server';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture();

describe('smart-flows watch', () => {
  it('follows an execution started elsewhere to its end, exit 0', async () => {
    const started = await lastValueFrom(testClient(cli.server).startExecution(builtInFlows.short.id, LETTER));
    const result = await cli.run(['watch', started.id, '--json']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.every((e) => e.executionId === started.id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'output', status: 'Success' });
  });

  it('exits 1 for an execution the server does not know', async () => {
    const result = await cli.run(['watch', '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404/);
  });

  it('stops watching on Ctrl-C (exit 130) and leaves the execution running', async () => {
    const started = await lastValueFrom(testClient(cli.server).startExecution(slowFlow.id, LETTER));
    const watching = cli.start(['watch', started.id]);
    await watching.waitFor(/Running 0%/);
    watching.child.kill('SIGINT');
    const result = await watching.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`follow it with: smart-flows watch ${started.id}`);
    expect((await executions(cli.server)).find((e) => e.id === started.id)?.status).toBe('Running');
  });
});
