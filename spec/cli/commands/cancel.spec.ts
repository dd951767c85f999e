import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import type { SimulatorServer } from 'smart-flows-rx/testing';
import { buildCli, jsonLines, runCli, type BuiltCli } from '../support/cli';
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

describe('smart-flows cancel', () => {
  it('cancels running executions, exit 0', async () => {
    const client = testClient(server);
    const a = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    const b = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    const result = await runCli(cli, ['cancel', a.id, b.id], { env: serverEnv(server) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Canceled ${a.id}\nCanceled ${b.id}\n`);
    const statuses = (await executions(server)).filter((e) => e.id === a.id || e.id === b.id).map((e) => e.status);
    expect(statuses).toEqual(['Canceled', 'Canceled']);
  });

  it('exits 1 for an id the server does not know, with a JSON error line', async () => {
    const id = '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10';
    const result = await runCli(cli, ['cancel', id, '--json'], { env: serverEnv(server) });
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ type: 'error', executionId: id, status: 404 })]);
  });
});
