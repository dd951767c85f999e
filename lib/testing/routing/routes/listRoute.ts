import { isGuid } from '../../engine/random.js';
import { listExecutions, parseFilter, parseSort } from '../../engine/listExecutions.js';
import { toExecution } from '../../engine/views.js';
import { json } from '../responses.js';
import { fail, type RouteHandler } from './RouteContext.js';

const MAX_PAGE_SIZE = 1000;

/** Reads a non-negative integer query parameter; `undefined` when invalid. */
function integer(value: string | null, fallback: number): number | undefined {
  if (value === null || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * `GET /flows/executions` and `GET /flows/{flowId}/executions`, paged as the API guide
 * describes: `page` (0-based, default 0), `size` (default 20, 1–1000), `sort`
 * (`field[,asc|desc]`, newest first by default), `filter` (`key:value,…`). Answers
 * `{ content, page, size, totalElements, totalPages, … }` (see `ListPage`), each item an
 * execution without its `state`.
 */
export const list: RouteHandler = (ctx, req) => {
  // The API guide's table names them pageNumber/pageSize, its example page/size: take both.
  const rawPage = req.query.get('page') ?? req.query.get('pageNumber');
  const rawSize = req.query.get('size') ?? req.query.get('pageSize');
  const page = integer(rawPage, 0);
  const size = integer(rawSize, 20);
  if (page === undefined) return fail(ctx, req, 400, `Invalid page '${rawPage ?? ''}'`);
  if (size === undefined || size < 1 || size > MAX_PAGE_SIZE) {
    return fail(ctx, req, 400, `Invalid size '${rawSize ?? ''}': 1 to ${MAX_PAGE_SIZE}`);
  }
  const sort = req.query.get('sort') ?? undefined;
  if (!parseSort(sort)) return fail(ctx, req, 400, `Invalid sort '${sort ?? ''}'`);
  const filter = req.query.get('filter') ?? undefined;
  if (!parseFilter(filter)) return fail(ctx, req, 400, `Invalid filter '${filter ?? ''}'`);

  let records = [...ctx.engine.executions.values()];
  if (req.match.variant === 'byFlow') {
    const flowId = req.match.params.flowId ?? '';
    if (!isGuid(flowId)) return fail(ctx, req, 400, `Invalid flow id '${flowId}': not a GUID`);
    const script = ctx.engine.getFlow(flowId);
    if (!script) return fail(ctx, req, 404, `Flow ${flowId} not found`);
    records = records.filter((r) => r.script.id === script.id);
  }
  const nowMs = ctx.clock.now();
  const result = listExecutions(
    records,
    { page, size, sort, filter },
    (r) => ctx.engine.phase(r),
    (r) => toExecution(r, nowMs, ctx.spell, false),
  );
  return json(200, result);
};
