import { isGuid } from '../../engine/random.js';
import { listExecutions, parseSort } from '../../engine/listExecutions.js';
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
 * `GET /flows/executions` and `GET /flows/{flowId}/executions`, paged Spring-style:
 * `page` (0-based, default 0), `size` (default 20, 1–1000), `sort` (`field[,asc|desc]`,
 * newest first by default), `filter`. Answers `{ content, page, size, totalElements,
 * totalPages }`, each item an execution without its `state`.
 */
export const list: RouteHandler = (ctx, req) => {
  const page = integer(req.query.get('page'), 0);
  const size = integer(req.query.get('size'), 20);
  if (page === undefined) return fail(ctx, req, 400, `Invalid page '${req.query.get('page') ?? ''}'`);
  if (size === undefined || size < 1 || size > MAX_PAGE_SIZE) {
    return fail(ctx, req, 400, `Invalid size '${req.query.get('size') ?? ''}': 1 to ${MAX_PAGE_SIZE}`);
  }
  const sort = req.query.get('sort') ?? undefined;
  if (!parseSort(sort)) return fail(ctx, req, 400, `Invalid sort '${sort ?? ''}'`);

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
    { page, size, sort, filter: req.query.get('filter') ?? undefined },
    (r) => ctx.engine.phase(r),
    (r) => toExecution(r, nowMs, ctx.spell, false),
  );
  return json(200, result);
};
