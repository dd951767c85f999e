import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, forkJoin, lastValueFrom } from 'rxjs';
import { SmartFlowsInputError } from 'smart-flows-rx';
import { fastFlows, useSimulatorServer, wireClient } from '../helpers/wireApi';

const server = useSimulatorServer();

describe('listExecutions over the wire', () => {
  it('pages the executions of one flow, newest first, with totals', async () => {
    const client = wireClient(server());
    const flowId = fastFlows.invoice.id;
    const runs = await lastValueFrom(forkJoin([1, 2, 3].map(() => client.run(flowId, '<Invoice/>'))));
    const ids = runs.map((e) => e.executionId);
    const first = await firstValueFrom(client.listExecutions({ flowId, size: 2 }));
    const second = await firstValueFrom(client.listExecutions({ flowId, size: 2, page: 1 }));
    expect(first).toMatchObject({ page: 0, size: 2, totalItems: 3, totalPages: 2 });
    expect(second).toMatchObject({ page: 1, size: 2, totalItems: 3, totalPages: 2 });
    const listed = [...first.items, ...second.items];
    expect(listed.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(listed.every((e) => e.status === 'Success' && e.flow?.id === flowId)).toBe(true);
  });

  it('lists all executions, passing sort and filter on', async () => {
    const client = wireClient(server());
    await lastValueFrom(client.run(fastFlows.error.id, '<A/>')).catch(() => undefined);
    const failed = await firstValueFrom(client.listExecutions({ filter: 'status:Error', sort: 'createdAt,asc', size: 1000 }));
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((e) => e.status === 'Error')).toBe(true);
  });

  it('refuses a size above 1000 before any request', async () => {
    const before = server().simulator.requests.length;
    await expect(firstValueFrom(wireClient(server()).listExecutions({ size: 5000 }))).rejects.toBeInstanceOf(SmartFlowsInputError);
    expect(server().simulator.requests.length).toBe(before);
  });
});
