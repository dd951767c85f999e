import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type Simulator, type VirtualClock } from 'smart-flows-rx/testing';
import { call, startFlow } from '../support.js';

let clock: VirtualClock;
let sim: Simulator;
const ids: string[] = [];

beforeEach(async () => {
  clock = createVirtualClock();
  sim = createSimulator({ clock, seed: 3 });
  ids.length = 0;
  // 25 executions of `short`, 5 of `error`, one second apart (all finished at the end).
  for (let i = 0; i < 30; i++) {
    ids.push(await startFlow(sim, i < 25 ? builtInFlows.short.id : builtInFlows.error.id));
    clock.advance(1_000);
  }
});

describe('GET /flows/executions', () => {
  it('pages 20 at a time by default, newest first, with totals', async () => {
    const res = await call(sim, 'GET', '/flows/executions');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ page: 0, size: 20, totalElements: 30, totalPages: 2 });
    expect(res.json.content).toHaveLength(20);
    expect(res.json.content[0].id).toBe(ids[29]);
    const item = res.json.content[0];
    expect(item).toMatchObject({ id: ids[29], status: 'Error', flow: { id: builtInFlows.error.id, type: 'flow' } });
    expect(item).not.toHaveProperty('state');
  });

  it('takes 0-based page and size', async () => {
    const res = await call(sim, 'GET', '/flows/executions?page=2&size=7&sort=createdAt,asc');
    expect(res.json).toMatchObject({ page: 2, size: 7, totalElements: 30, totalPages: 5 });
    expect(res.json.content.map((e: { id: string }) => e.id)).toEqual(ids.slice(14, 21));
    const past = await call(sim, 'GET', '/flows/executions?page=9');
    expect(past.json.content).toEqual([]);
  });

  it('also repeats the numbers the way a Spring Page does', async () => {
    const res = await call(sim, 'GET', '/flows/executions?page=1');
    expect(res.json).toMatchObject({ number: 1, numberOfElements: 10, first: false, last: true, empty: false });
  });

  it('takes pageNumber and pageSize as aliases (the API guide names both)', async () => {
    const res = await call(sim, 'GET', '/flows/executions?pageNumber=1&pageSize=25');
    expect(res.json).toMatchObject({ page: 1, size: 25, numberOfElements: 5 });
  });

  it("filters with the API guide's key:value conditions (contains, any case) and free text", async () => {
    expect((await call(sim, 'GET', '/flows/executions?filter=status:error')).json.totalElements).toBe(5);
    expect((await call(sim, 'GET', '/flows/executions?filter=displayName:short,status:SUCCESS')).json.totalElements).toBe(25);
    expect((await call(sim, 'GET', '/flows/executions?filter=displayName:short,status:error')).json.totalElements).toBe(0);
    expect((await call(sim, 'GET', '/flows/executions?filter=misconfigured')).json.totalElements).toBe(5);
  });

  it('sorts by displayName', async () => {
    const res = await call(sim, 'GET', '/flows/executions?sort=displayName,asc&size=1');
    expect(res.json.content[0].flow.displayName).toBe('Misconfigured flow (ends in Error)');
  });

  it.each(['page=-1', 'page=x', 'size=0', 'size=1001', 'size=2.5', 'sort=colour', 'sort=createdAt,sideways', 'filter=colour:red'])(
    'answers 400 for %s',
    async (query) => {
      expect((await call(sim, 'GET', `/flows/executions?${query}`)).status).toBe(400);
    },
  );
});

describe('GET /flows/{flowId}/executions', () => {
  it('lists only that flow', async () => {
    const res = await call(sim, 'GET', `/flows/${builtInFlows.short.id}/executions?size=100`);
    expect(res.json.totalElements).toBe(25);
    expect(res.json.content.every((e: { flow: { id: string } }) => e.flow.id === builtInFlows.short.id)).toBe(true);
  });

  it('answers 404 for an unknown flow and 400 for a non-GUID', async () => {
    expect((await call(sim, 'GET', '/flows/00000000-0000-4000-8000-0000000000ff/executions')).status).toBe(404);
    expect((await call(sim, 'GET', '/flows/abc/executions')).status).toBe(400);
  });
});
