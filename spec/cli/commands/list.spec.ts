import { beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { LETTER, slowFlow, testClient } from '../support/server';
import { useCliFixture } from '../support/fixture';

const ids: string[] = [];

const cli = useCliFixture();
beforeAll(async () => {
  const client = testClient(cli.server);
  for (const flow of [builtInFlows.short, slowFlow, slowFlow]) ids.push((await lastValueFrom(client.startExecution(flow.id, LETTER))).id);
});

describe('smart-flows list', () => {
  it('prints a table of executions, newest first, exit 0', async () => {
    const result = await cli.run(['list']);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^EXECUTION +STATUS +CREATED +FLOW$/);
    expect(rows.map((r) => r.slice(0, 36))).toEqual([...ids].reverse());
    expect(result.stderr).toContain('3 executions of 3');
  });

  it('filters by flow and status, one JSON execution a line with --json, --size bounds the page', async () => {
    const result = await cli.run(['list', '--flow', slowFlow.id, '--status', 'running', '--json']);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((e) => e.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(lines.every((e) => e.status === 'Running' && (e.flow as { id: string }).id === slowFlow.id)).toBe(true);
    const one = await cli.run(['list', '--size', '1', '--json']);
    expect(jsonLines(one.stdout)).toHaveLength(1);
  });
});
