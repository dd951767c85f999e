import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsInputError, SmartFlowsResponseError, type ListExecutionsOptions } from '../../lib/index';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';
import { API, testClient, useMswServer } from '../helpers/mswApi';

const server = useMswServer();
const item = { id: EXEC_ID, status: 'Success', createdAt: '2024-05-01T10:00:00Z', flow: { id: FLOW_ID, displayName: 'Letter', type: 'flow' } };

function listServer(body: unknown) {
  const urls: URL[] = [];
  const answer = ({ request }: { request: Request }) => {
    urls.push(new URL(request.url));
    return HttpResponse.json(body as never);
  };
  server.use(http.get(`${API}/flows/executions`, answer), http.get(`${API}/flows/:flowId/executions`, answer));
  return urls;
}

describe('listExecutions', () => {
  it('lists all executions with the default page and size, reading a Spring page', async () => {
    const urls = listServer({ content: [item], number: 0, size: 20, totalElements: 41, totalPages: 3, pageable: {} });
    const page = await firstValueFrom(testClient().listExecutions());
    expect(urls[0]!.pathname).toBe('/api/v1/flows/executions');
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ page: '0', size: '20' });
    expect(page).toEqual({ items: [{ ...item, status: 'Success', rawStatus: 'Success' }], page: 0, size: 20, totalItems: 41, totalPages: 3 });
  });

  it('lists one flow, passing page, size, sort and filter', async () => {
    const urls = listServer({ content: [], page: 2, size: 5, totalElements: 11 });
    const page = await firstValueFrom(testClient().listExecutions({ flowId: FLOW_ID, page: 2, size: 5, sort: 'createdAt,desc', filter: 'status:Error' }));
    expect(urls[0]!.pathname).toBe(`/api/v1/flows/${FLOW_ID}/executions`);
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ page: '2', size: '5', sort: 'createdAt,desc', filter: 'status:Error' });
    // totalPages computed from totalElements when the server leaves it out.
    expect(page).toEqual({ items: [], page: 2, size: 5, totalItems: 11, totalPages: 3 });
  });

  it('accepts a bare array, with the page asked for and no totals', async () => {
    listServer([item, { ...item, status: 'User input' }]);
    const page = await firstValueFrom(testClient().listExecutions({ page: 1, size: 2 }));
    expect(page.items.map((e) => e.status)).toEqual(['Success', 'UserInput']);
    expect(page).toMatchObject({ page: 1, size: 2 });
    expect(page.totalItems).toBeUndefined();
    expect(page.totalPages).toBeUndefined();
  });

  it('accepts { items, totalItems }', async () => {
    listServer({ items: [item], totalItems: 1 });
    await expect(firstValueFrom(testClient().listExecutions())).resolves.toMatchObject({ page: 0, size: 20, totalItems: 1, totalPages: 1 });
  });

  it.each([
    ['an object without content', { results: [] }],
    ['an item without id', { content: [{ status: 'Success' }] }],
    ['a string', 'nope'],
  ])('errors with SmartFlowsResponseError for %s', async (_, body) => {
    listServer(body);
    await expect(firstValueFrom(testClient().listExecutions())).rejects.toBeInstanceOf(SmartFlowsResponseError);
  });

  it.each<[string, ListExecutionsOptions]>([
    ['a negative page', { page: -1 }],
    ['a fractional page', { page: 1.5 }],
    ['a page given as text', { page: '1' as never }],
    ['size 0', { size: 0 }],
    ['size 1001', { size: 1001 }],
    ['a NaN size', { size: Number.NaN }],
    ['a sort that is not text', { sort: ['a'] as never }],
    ['a filter that is not text', { filter: 3 as never }],
    ['a flowId that is not a GUID', { flowId: '../admin' }],
    ['options that are not an object', null as never],
  ])('refuses %s with SmartFlowsInputError before any request', async (_, options) => {
    const urls = listServer([]);
    await expect(firstValueFrom(testClient().listExecutions(options))).rejects.toBeInstanceOf(SmartFlowsInputError);
    expect(urls).toEqual([]);
  });

  it('accepts the bounds: page 0, size 1 and size 1000', async () => {
    const urls = listServer([]);
    await firstValueFrom(testClient().listExecutions({ page: 0, size: 1 }));
    await firstValueFrom(testClient().listExecutions({ size: 1000 }));
    expect(urls.map((u) => u.searchParams.get('size'))).toEqual(['1', '1000']);
  });
});

describe('filterExecutions (the API layer call the listing tracker uses)', () => {
  it('POSTs the FilterGroupNode as JSON to /flows/executions/filter with page, size and sort in the query', async () => {
    const seen: { url: URL; type: string | null; body: unknown }[] = [];
    server.use(http.post(`${API}/flows/executions/filter`, async ({ request }) => {
      seen.push({ url: new URL(request.url), type: request.headers.get('content-type'), body: await request.json() });
      return HttpResponse.json({ content: [{ ...item, status: 'User input', modifiedAt: '2024-05-01T10:00:01Z' }], number: 0, size: 50, totalElements: 1 });
    }));
    const filter = { group: { type: 'and' as const, nodes: [{ condition: { key: 'modifiedAt', operator: 'greaterThanOrEqualTo', values: ['2024-05-01T10:00:00.000Z'] } }] } };
    const api = (testClient() as unknown as { api: import('../../lib/api/createApi').SmartFlowsApi }).api;
    const page = await firstValueFrom(api.filterExecutions(filter, { page: 0, size: 50, sort: 'modifiedAt,desc' }));
    expect(seen).toHaveLength(1);
    expect(Object.fromEntries(seen[0]!.url.searchParams)).toEqual({ page: '0', size: '50', sort: 'modifiedAt,desc' });
    expect(seen[0]!.type).toMatch(/^application\/json/);
    expect(seen[0]!.body).toEqual(filter);
    expect(page.items).toEqual([expect.objectContaining({ id: EXEC_ID, status: 'UserInput', rawStatus: 'User input' })]);
  });
});
