import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import type { SimulatorServer } from 'smart-flows-rx/testing';
import { buildCli, jsonLines, runCli, type BuiltCli } from '../support/cli';
import { LETTER, serverEnv, slowFlow, startServer, testClient } from '../support/server';

let cli: BuiltCli;
let server: SimulatorServer;
const ids: string[] = [];

beforeAll(async () => {
  cli = buildCli();
  server = await startServer();
  const client = testClient(server);
  for (const flow of [builtInFlows.short, slowFlow, slowFlow]) ids.push((await lastValueFrom(client.startExecution(flow.id, LETTER))).id);
});
afterAll(async () => {
  cli.remove();
  await server.close();
});

describe('smart-flows list', () => {
  it('prints a table of executions, newest first, exit 0', async () => {
    const result = await runCli(cli, ['list'], { env: serverEnv(server) });
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^EXECUTION +STATUS +CREATED +FLOW$/);
    expect(rows.map((r) => r.slice(0, 36))).toEqual([...ids].reverse());
    expect(result.stderr).toContain('3 executions of 3');
  });

  it('filters by flow and status, one JSON execution a line with --json, --size bounds the page', async () => {
    const result = await runCli(cli, ['list', '--flow', slowFlow.id, '--status', 'running', '--json'], { env: serverEnv(server) });
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((e) => e.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(lines.every((e) => e.status === 'Running' && (e.flow as { id: string }).id === slowFlow.id)).toBe(true);
    const one = await runCli(cli, ['list', '--size', '1', '--json'], { env: serverEnv(server) });
    expect(jsonLines(one.stdout)).toHaveLength(1);
  });
});
