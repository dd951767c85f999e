import type { FetchLike } from '../../lib/options';

/**
 * Another user's execution stamped a day after the virtual clock's default start (2024-01-01):
 * an item "from the future" (a skewed server clock, a forged stamp), attack report item 6.
 */
export const FUTURE_ITEM = {
  id: 'ffffffff-0000-4000-8000-000000000001',
  createdAt: '2024-01-01T00:00:00.000Z',
  createdBy: 'someone-else',
  modifiedAt: '2024-01-02T00:00:00.000Z',
  status: 'Running',
  flow: { id: 'ffffffff-0000-4000-8000-0000000000f1', displayName: 'Theirs', type: 'flow' },
};

/**
 * A fetch that puts {@link FUTURE_ITEM} first on the first page of every listing answer, of the
 * filter endpoint and of `GET /flows/executions` alike (it matches any `modifiedAt ≥` a filter asks).
 */
export const withFutureItem: FetchLike = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(input);
  const listing = url.pathname.endsWith('/flows/executions/filter') || (url.pathname.endsWith('/flows/executions') && (init?.method ?? 'GET') === 'GET');
  if (!listing || !response.ok || url.searchParams.get('page') !== '0') return response;
  const body = (await response.json()) as { content: unknown[] };
  body.content.unshift(FUTURE_ITEM);
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
};
