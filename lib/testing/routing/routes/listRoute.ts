import type { ExecutionRecord } from '../../engine/ExecutionRecord.js';
import { FilterBodyError, type FilterPredicate, parseFilterBody } from '../../engine/filterBody.js';
import { isGuid } from '../../engine/random.js';
import { listExecutions, parseFilter, parseSort } from '../../engine/listExecutions.js';
import { phaseAt } from '../../engine/timeline.js';
import { toExecution } from '../../engine/views.js';
import { errorResponse, json } from '../responses.js';
import { bodyJson, fail, type RouteContext, type RouteHandler } from './RouteContext.js';

const MAX_PAGE_SIZE = 1000;

/** Reads a non-negative integer query parameter; `undefined` when invalid. */
function integer(value: string | null, fallback: number): number | undefined {
  if (value === null || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** This execution's share of `listing.lagMs`: fixed per execution (from its id), so it never goes back in time. */
function lagOf(ctx: RouteContext, record: ExecutionRecord): number {
  const { lagMs } = ctx.listing;
  if (!(lagMs > 0)) return 0;
  return Math.floor((parseInt(record.id.slice(0, 8), 16) / 0x1_0000_0000) * lagMs);
}

/**
 * `GET /flows/executions`, `GET /flows/{flowId}/executions` and `POST /flows/executions/filter`,
 * paged as the API guide describes: `page` (0-based, default 0), `size` (default 20, 1–1000),
 * `sort` (`field[,asc|desc]`, newest first by default), `filter` (`key:value,…`); the filter
 * route also takes a FilterGroupNode body (see `filterBody.ts`). Answers
 * `{ content, page, size, totalElements, totalPages, … }` (see `ListPage`), each item an
 * execution without its `state`. `listing` options change what a less capable server does.
 */
export const list: RouteHandler = (ctx, req) => {
  if (req.match.variant === 'filter' && ctx.listing.filterEndpoint !== 'served') {
    const context = { path: req.path, nowMs: ctx.clock.now() };
    // The path exists for GET (as an execution id) on such a server: hence 405 with Allow.
    return ctx.listing.filterEndpoint === 405
      ? errorResponse(405, `Method POST is not allowed on ${req.path.split('?')[0]}`, context, { allow: 'GET' })
      : errorResponse(404, `No endpoint POST ${req.path.split('?')[0]}`, context);
  }
  // The API guide's table names them pageNumber/pageSize, its example page/size: take both.
  const rawPage = req.query.get('page') ?? req.query.get('pageNumber');
  const rawSize = req.query.get('size') ?? req.query.get('pageSize');
  const page = integer(rawPage, 0);
  const size = integer(rawSize, 20);
  if (page === undefined) return fail(ctx, req, 400, `Invalid page '${rawPage ?? ''}'`);
  if (size === undefined || size < 1 || size > MAX_PAGE_SIZE) {
    return fail(ctx, req, 400, `Invalid size '${rawSize ?? ''}': 1 to ${MAX_PAGE_SIZE}`);
  }
  let sort = req.query.get('sort') ?? undefined;
  const parsedSort = parseSort(sort);
  if (!parsedSort) return fail(ctx, req, 400, `Invalid sort '${sort ?? ''}'`);
  const unsupported = sort?.trim() ? ctx.listing.unsupportedSort[parsedSort.field] : undefined;
  if (unsupported === 'refused') return fail(ctx, req, 400, `Sorting by '${parsedSort.field}' is not supported`);
  if (unsupported === 'ignored') sort = undefined;
  const filter = req.query.get('filter') ?? undefined;
  if (!parseFilter(filter)) return fail(ctx, req, 400, `Invalid filter '${filter ?? ''}'`);
  let where: FilterPredicate | undefined;
  if (req.match.variant === 'filter') {
    try {
      where = parseFilterBody(bodyJson(req), ctx.listing.unsupportedFilterKeys);
    } catch (error) {
      if (error instanceof FilterBodyError) return fail(ctx, req, 400, error.message);
      throw error;
    }
  }

  const nowMs = ctx.clock.now();
  let records = [...ctx.engine.executions.values()];
  if (req.match.variant === 'byFlow') {
    const flowId = req.match.params.flowId ?? '';
    if (!isGuid(flowId)) return fail(ctx, req, 400, `Invalid flow id '${flowId}': not a GUID`);
    const script = ctx.engine.getFlow(flowId);
    if (!script) return fail(ctx, req, 404, `Flow ${flowId} not found`);
    records = records.filter((r) => r.script.id === script.id);
  }
  // A lagging listing shows each execution as it was its lag ago, and not at all before it existed.
  if (ctx.listing.lagMs > 0) records = records.filter((r) => r.createdAtMs <= nowMs - lagOf(ctx, r));
  // One instant for the whole answer (the real clock moves while thousands are sorted): the order
  // and the items' modifiedAt must agree.
  const result = listExecutions(
    records,
    { page, size, sort, filter, where },
    (r) => phaseAt(r, nowMs - lagOf(ctx, r)),
    (r) => toExecution(r, nowMs - lagOf(ctx, r), ctx.spell, false),
  );
  return json(200, result);
};
