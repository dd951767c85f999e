import { catchError, expand, EMPTY, map, type Observable, reduce, throwError } from 'rxjs';
import type { ExecutionFilter, ExecutionPage, ListExecutionsOptions } from '../api/listings';
import type { FlowExecution } from '../api/types';
import { SmartFlowsHttpError } from '../errors';
import type { TrackerFallbackReason } from './trackerOptions';

/** The two listing calls a cycle may use. */
export interface FeedApi {
  listExecutions(options: ListExecutionsOptions): Observable<ExecutionPage>;
  filterExecutions(filter: ExecutionFilter, options: Pick<ListExecutionsOptions, 'page' | 'size' | 'sort'>): Observable<ExecutionPage>;
}

/** What one cycle asks. */
export interface FeedRequest {
  feed: 'filter' | 'list';
  /** Server time (ms) the cycle reads back to; absent on the first cycle, which reads one page. */
  horizonMs?: number;
  size: number;
  maxPages: number;
  /**
   * Executions to list whatever their `modifiedAt` (quiet ones due for a check), with the filter
   * feed only: the cycle asks `modifiedAt ≥ horizon` or `id in ids`, and reads every page.
   */
  ids?: readonly string[];
  /**
   * On the first cycle (no horizon): the executions it must list, and how far back it may read
   * for them (ms before the first page's oldest item: since the tracking began, and the margin). It
   * pages on (up to `maxPages`) while a full page leaves one of them unlisted and is not older
   * than that, instead of reading one page.
   */
  first?: { cover: ReadonlySet<string>; lookbackMs: number };
}

/** An item of the feed: the execution and its `modifiedAt` in ms. */
export interface FeedItem {
  execution: FlowExecution;
  modifiedAtMs: number;
}

/** What one cycle read: items newest first, the requests it took, and whether it read all it asked for. */
export interface FeedRead {
  items: FeedItem[];
  requests: number;
  /** False when the read stopped at `maxPages` (or at the first cycle's one page) with more to read. */
  complete: boolean;
}

/** A listing the tracker cannot use (internal: the tracker falls back, no caller sees it); `filterOnly` when only the filter call failed so. */
export class FeedUnusableError extends Error {
  override name = 'FeedUnusableError';
  constructor(readonly reason: TrackerFallbackReason, message: string, readonly filterOnly = false) {
    super(message);
  }
}

export const SORT = 'modifiedAt,desc';

/**
 * One cycle's reading: pages of executions by `modifiedAt`, newest first, until a page is not
 * full, or its last item is older than the horizon, or `maxPages` were read (the first cycle,
 * without a horizon, reads one page, or on while one execution of `first.cover` is unlisted
 * within its look-back). With the filter feed the server drops what is older than the horizon itself. Checks the order asked for: items out of order, or without a `modifiedAt`,
 * error with {@link FeedUnusableError}; so do 404/405 (no such endpoint) and 400 (refused).
 */
export function readFeed(api: FeedApi, request: FeedRequest): Observable<FeedRead> {
  const { feed, horizonMs, size, maxPages, ids = [], first } = request;
  // What the first cycle has yet to list, and how far back it reads for them (from its first page).
  const uncovered = new Set(horizonMs === undefined ? first?.cover : undefined);
  let firstHorizonMs = -Infinity;
  const useFilter = feed === 'filter' && horizonMs !== undefined;
  const withIds = useFilter && ids.length > 0;
  const filter = useFilter ? (withIds ? sinceOrIdsFilter(horizonMs as number, ids) : sinceFilter(horizonMs as number)) : undefined;
  const page$ = (page: number) =>
    (filter
      ? api.filterExecutions(filter, { page, size, sort: SORT })
      : api.listExecutions({ page, size, sort: SORT })
    ).pipe(
      map((answer) => {
        const items = answer.items.map(toItem);
        const last = items[items.length - 1];
        // From the first page's oldest item, not its newest: one item stamped in the future (another
        // user's, a skewed clock) would end the look-back before it began.
        if (first && page === 0 && last) firstHorizonMs = last.modifiedAtMs - first.lookbackMs;
        for (const item of uncovered.size > 0 ? items : []) uncovered.delete(item.execution.id.toLowerCase());
        // A full page not yet older than the horizon (or any full page, when quiet executions are
        // asked for too: they sort last): read on, unless this is the first cycle (no horizon: one
        // page, or more while one to cover is unlisted within the look-back) or the last page
        // allowed; then the read is cut short.
        const left = items.length >= size && (horizonMs === undefined || withIds || (last !== undefined && last.modifiedAtMs >= horizonMs));
        const readOn = horizonMs !== undefined || (uncovered.size > 0 && last !== undefined && last.modifiedAtMs >= firstHorizonMs);
        const next = left && readOn && page + 1 < maxPages;
        return { page, items, next, more: left && !next };
      }),
      catchError((error: unknown) => throwError(() => unusable(error, useFilter))),
    );
  let previousMs = Infinity;
  const seen = new Set<string>();
  return page$(0).pipe(
    expand(({ page, next }) => (next ? page$(page + 1) : EMPTY)),
    map(({ items, more }) => {
      for (const item of items) {
        // Executions changed between two pages push the ones above down: a later page repeats
        // them, newer than the previous page's last item. Only unseen items must keep the order.
        const id = item.execution.id.toLowerCase();
        if (seen.has(id)) continue;
        seen.add(id);
        if (item.modifiedAtMs > previousMs) throw new FeedUnusableError('unsorted', `The listing was asked for ${SORT} but answered ${new Date(item.modifiedAtMs).toISOString()} after ${new Date(previousMs).toISOString()}`);
        previousMs = item.modifiedAtMs;
      }
      return { items, more };
    }),
    reduce((read: FeedRead, { items, more }) => ({ items: read.items.concat(items), requests: read.requests + 1, complete: read.complete && !more }), { items: [], requests: 0, complete: true }),
  );
}

/** `modifiedAt ≥ horizon` or `id in […]`: the changes, and the executions asked for whatever their `modifiedAt`. */
export function sinceOrIdsFilter(horizonMs: number, ids: readonly string[]): ExecutionFilter {
  return { group: { type: 'or', nodes: [sinceFilter(horizonMs), { group: { type: 'and', nodes: [{ condition: { key: 'id', operator: 'in', values: [...ids] } }] } }] } };
}

/** `modifiedAt ≥ horizon`, as the SDK's FilterGroupNode. */
export function sinceFilter(horizonMs: number): ExecutionFilter {
  return { group: { type: 'and', nodes: [{ condition: { key: 'modifiedAt', operator: 'greaterThanOrEqualTo', values: [new Date(horizonMs).toISOString()] } }] } };
}

function toItem(execution: FlowExecution): FeedItem {
  const modifiedAtMs = typeof execution.modifiedAt === 'string' ? Date.parse(execution.modifiedAt) : NaN;
  if (!Number.isFinite(modifiedAtMs)) throw new FeedUnusableError('unsupported', `The listing's items carry no modifiedAt (execution ${execution.id})`);
  return { execution, modifiedAtMs };
}

/** 404/405: no such endpoint; 400: the sort or the body refused; anything else passes as is (a passing failure). */
function unusable(error: unknown, viaFilter: boolean): unknown {
  if (!(error instanceof SmartFlowsHttpError)) return error;
  const call = viaFilter ? 'POST /flows/executions/filter' : 'GET /flows/executions';
  if (error.status === 404 || error.status === 405) return new FeedUnusableError('unsupported', `${call} answered ${error.status}`, viaFilter);
  if (error.status === 400) return new FeedUnusableError(viaFilter ? 'unsupported' : 'sortRefused', `${call} answered 400 to sort=${SORT}${viaFilter ? ' and a modifiedAt filter' : ''}`, viaFilter);
  return error;
}
