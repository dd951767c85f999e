import { describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { jsonLines } from '../support/cli';
import { executions, LETTER, slowFlow, testClient } from '../support/server';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture();

describe('smart-flows cancel', () => {
  it('cancels running executions, exit 0', async () => {
    const client = testClient(cli.server);
    const a = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    const b = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    const result = await cli.run(['cancel', a.id, b.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Canceled ${a.id}\nCanceled ${b.id}\n`);
    const statuses = (await executions(cli.server)).filter((e) => e.id === a.id || e.id === b.id).map((e) => e.status);
    expect(statuses).toEqual(['Canceled', 'Canceled']);
  });

  it('exits 1 for an id the server does not know, with a JSON error line', async () => {
    const id = '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10';
    const result = await cli.run(['cancel', id, '--json']);
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ type: 'error', executionId: id, status: 404 })]);
  });

  it('says the server refused to cancel (403), not that the credentials are wrong, and goes on with the other ids (exit 1)', async () => {
    const client = testClient(cli.server);
    const a = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    const b = await lastValueFrom(client.startExecution(slowFlow.id, LETTER));
    cli.events.refuse('cancel', 403);
    let result;
    try {
      result = await cli.run(['cancel', a.id, b.id]);
    } finally {
      cli.events.refuse(undefined);
      await cli.run(['cancel', a.id, b.id]);
    }
    expect(result.code).toBe(1);
    for (const id of [a.id, b.id]) expect(result.stderr).toContain(`smart-flows: cannot cancel ${id}: the server refused to cancel it (HTTP 403: not allowed for these credentials)`);
    expect(result.stderr).not.toContain('check SMART_FLOWS_API_KEY');
  });
});
