import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { SimulatorServer } from 'smart-flows-rx/testing';
import { buildCli, jsonLines, runCli, startCli, type BuiltCli } from '../support/cli';
import { executions, LETTER, serverEnv, slowFlow, startServer, testClient } from '../support/server';

let cli: BuiltCli;
let server: SimulatorServer;

beforeAll(async () => {
  cli = buildCli();
  server = await startServer();
});
afterAll(async () => {
  cli.remove();
  await server.close();
});

describe('smart-flows watch', () => {
  it('follows an execution started elsewhere to its end, exit 0', async () => {
    const started = await lastValueFrom(testClient(server).startExecution(builtInFlows.short.id, LETTER));
    const result = await runCli(cli, ['watch', started.id, '--json'], { env: serverEnv(server) });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.every((e) => e.executionId === started.id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'output', status: 'Success' });
  });

  it('exits 1 for an execution the server does not know', async () => {
    const result = await runCli(cli, ['watch', '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10'], { env: serverEnv(server) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404/);
  });

  it('stops watching on Ctrl-C (exit 130) and leaves the execution running', async () => {
    const started = await lastValueFrom(testClient(server).startExecution(slowFlow.id, LETTER));
    const watching = startCli(cli, ['watch', started.id], { env: serverEnv(server) });
    await watching.waitFor(/Running 0%/);
    watching.child.kill('SIGINT');
    const result = await watching.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`follow it with: smart-flows watch ${started.id}`);
    expect((await executions(server)).find((e) => e.id === started.id)?.status).toBe('Running');
  });
});
