import { beforeEach, describe, expect, it } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type Simulator, type SimulatorListingOptions, type VirtualClock } from 'smart-flows-rx/testing';
import { call, startFlow } from '../support.js';

// The listing calls a tracker of many executions relies on: sort by modifiedAt, the filter
// endpoint's FilterGroupNode bodies, and the knobs that model servers that differ.
let clock: VirtualClock;
let sim: Simulator;

function simulator(listing?: SimulatorListingOptions): Simulator {
  clock = createVirtualClock();
  sim = createSimulator({ clock, seed: 5, ...(listing ? { listing } : {}) });
  return sim;
}

const JSON_BODY = { 'content-type': 'application/json' };
const filter = (body: unknown, query = '') => call(sim, 'POST', `/flows/executions/filter${query}`, { body: JSON.stringify(body), headers: JSON_BODY });
const cond = (key: string, operator: string, values: unknown[]) => ({ condition: { key, operator, values } });
const ids = (res: { json: { content: { id: string }[] } }) => res.json.content.map((e) => e.id);

describe('modifiedAt in listings', () => {
  beforeEach(() => {
    simulator();
  });

  it('moves on every percentage change and status change, and sorts newest first', async () => {
    const a = await startFlow(sim, builtInFlows.long.id); // ten 1 s stages
    clock.advance(500);
    const b = await startFlow(sim, builtInFlows.short.id); // three 200 ms stages
    clock.advance(300); // b moved to its second stage at 700 ms, a has not moved since 0
    let res = await call(sim, 'GET', '/flows/executions?sort=modifiedAt,desc');
    expect(ids(res)).toEqual([b, a]);
    const bAt = Date.parse(res.json.content[0].modifiedAt);
    expect(bAt - Date.parse(res.json.content[0].createdAt)).toBe(200);
    clock.advance(800); // a at its second stage (1,000 ms); b ended at 1,100 ms
    res = await call(sim, 'GET', '/flows/executions?sort=modifiedAt,asc');
    expect(ids(res)).toEqual([a, b]);
    expect(res.json.content.map((e: { status: string }) => e.status)).toEqual(['Running', 'Success']);
    expect(Date.parse(res.json.content[1].modifiedAt) - bAt).toBe(400);
  });

  it('takes the pageNumber/pageSize spelling as well as page/size', async () => {
    for (let i = 0; i < 3; i++) await startFlow(sim);
    const a = await call(sim, 'GET', '/flows/executions?pageNumber=1&pageSize=2&sort=modifiedAt,desc');
    const b = await call(sim, 'GET', '/flows/executions?page=1&size=2&sort=modifiedAt,desc');
    expect(a.json).toMatchObject({ page: 1, size: 2, totalElements: 3, numberOfElements: 1 });
    expect(ids(a)).toEqual(ids(b));
  });
});

describe('POST /flows/executions/filter', () => {
  let done: string[];
  let failed: string;
  let running: string;
  let t: number;
  beforeEach(async () => {
    simulator();
    done = [await startFlow(sim), await startFlow(sim)];
    failed = await startFlow(sim, builtInFlows.error.id);
    clock.advance(5_000);
    t = clock.now();
    running = await startFlow(sim, builtInFlows.long.id);
    clock.advance(1_500);
  });

  it("answers the guide's example: an and-group of status in […] and createdAt ≤ …", async () => {
    const res = await filter({ group: { type: 'and', nodes: [cond('status', 'in', ['Success', 'Error']), cond('createdAt', 'lessThanOrEqualTo', [new Date(t).toISOString()])] } });
    expect(res.status).toBe(200);
    expect(ids(res).sort()).toEqual([...done, failed].sort());
    expect(res.json.content[0]).not.toHaveProperty('state');
  });

  it('nests groups, with or, equals (any spelling of a status) and greaterThanOrEqualTo on modifiedAt', async () => {
    const body = { group: { type: 'or', nodes: [cond('status', 'equals', ['ERROR']), { group: { type: 'and', nodes: [cond('modifiedAt', 'greaterThanOrEqualTo', [new Date(t + 1_000).toISOString()]), cond('flowId', 'equals', [builtInFlows.long.id])] } }] } };
    const res = await filter(body, '?sort=modifiedAt,desc');
    expect(ids(res)).toEqual([running, failed]);
  });

  it('pages and sorts like the listing', async () => {
    const res = await filter({ group: { type: 'and', nodes: [cond('status', 'equals', ['Success'])] } }, '?size=1&page=1&sort=createdAt,asc');
    expect(res.json).toMatchObject({ page: 1, size: 1, totalElements: 2 });
    expect(ids(res)).toEqual([done[1]]);
  });

  it.each([
    ['not an object', '[]'],
    ['an unknown key', JSON.stringify({ group: { type: 'and', nodes: [cond('colour', 'equals', ['red'])] } })],
    ['an unknown operator', JSON.stringify({ group: { type: 'and', nodes: [cond('status', 'like', ['S%'])] } })],
    ['a date that is none', JSON.stringify({ group: { type: 'and', nodes: [cond('modifiedAt', 'lessThanOrEqualTo', ['yesterday'])] } })],
    ['a group type that is none', JSON.stringify({ group: { type: 'xor', nodes: [] } })],
  ])('answers 400 to a body that is %s', async (_what, body) => {
    const res = await call(sim, 'POST', '/flows/executions/filter', { body, headers: JSON_BODY });
    expect(res.status).toBe(400);
  });
});

describe('listing knobs', () => {
  it.each([404, 405] as const)('filterEndpoint: %s answers the filter call with that status', async (status) => {
    simulator({ filterEndpoint: status });
    const res = await filter({ group: { type: 'and', nodes: [] } });
    expect(res.status).toBe(status);
    if (status === 405) expect(res.headers.allow).toBe('GET');
  });

  it("unsupportedSort 'refused' answers 400; 'ignored' lists newest createdAt first", async () => {
    simulator({ unsupportedSort: { modifiedAt: 'refused', status: 'ignored' } });
    const a = await startFlow(sim, builtInFlows.long.id);
    clock.advance(100);
    const b = await startFlow(sim);
    expect((await call(sim, 'GET', '/flows/executions?sort=modifiedAt,desc')).status).toBe(400);
    expect(ids(await call(sim, 'GET', '/flows/executions?sort=status,asc'))).toEqual([b, a]);
    expect((await call(sim, 'GET', '/flows/executions?sort=createdAt,asc')).status).toBe(200);
  });

  it('lagMs shows each execution as it was up to that long ago, and not before it existed', async () => {
    simulator({ lagMs: 10_000 });
    const id = await startFlow(sim);
    clock.advance(1_000); // ended at 600 ms
    expect((await call(sim, 'GET', `/flows/executions/${id}/progress`)).json.status).toBe('Success');
    let listed = await call(sim, 'GET', '/flows/executions');
    const lag = 10_000 * (parseInt(id.slice(0, 8), 16) / 2 ** 32);
    expect(listed.json.content.map((e: { status: string }) => e.status)).toEqual(lag <= 1_000 ? ['Success'] : lag < 1_000 + 400 ? ['Running'] : []);
    clock.advance(10_000);
    listed = await call(sim, 'GET', '/flows/executions');
    expect(listed.json.content).toMatchObject([{ id, status: 'Success' }]);
  });

  it("otherUsersPerStart adds other users' executions of the same flow to listings, not to starts", async () => {
    simulator({ otherUsersPerStart: 2 });
    const mine = await startFlow(sim);
    const listed = await call(sim, 'GET', '/flows/executions?size=100');
    expect(listed.json.totalElements).toBe(3);
    const others = listed.json.content.filter((e: { id: string }) => e.id !== mine);
    expect(others.map((e: { createdBy: { displayName: string } }) => e.createdBy.displayName)).toEqual(['Another user', 'Another user']);
    expect(sim.stats.byRoute.start).toBe(1);
  });
});
