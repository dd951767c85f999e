import type { ExecutionRecord } from './ExecutionRecord.js';
import type { Phase } from './timeline.js';

/** Paging and selection of a listing, as parsed from the query string. */
export interface ListQuery {
  /** 0-based page. */
  page: number;
  size: number;
  /** `field` or `field,asc|desc`; fields: createdAt, modifiedAt, status, id, flow. */
  sort?: string;
  /** `status:<status>`, `flowId:<guid>`, or free text matched against flow name, id and status. */
  filter?: string;
}

/** One page, in the Spring-like shape the simulator answers with. */
export interface ListPage<T> {
  content: T[];
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
}

const SORT_FIELDS = ['createdAt', 'modifiedAt', 'status', 'id', 'flow'] as const;
type SortField = (typeof SORT_FIELDS)[number];

const squash = (s: string) => s.replace(/[\s_]/g, '').toLowerCase();

/** Parses `sort` (Spring style, ascending unless `,desc`); `undefined` when it names no known field. */
export function parseSort(sort: string | undefined): { field: SortField; descending: boolean } | undefined {
  if (!sort?.trim()) return { field: 'createdAt', descending: true };
  const [field = '', direction = 'asc', ...extra] = sort.split(',').map((s) => s.trim());
  if (extra.length || !(SORT_FIELDS as readonly string[]).includes(field)) return undefined;
  if (!/^(asc|desc)$/i.test(direction)) return undefined;
  return { field: field as SortField, descending: direction.toLowerCase() === 'desc' };
}

/**
 * Filters, sorts (newest first by default) and pages executions.
 *
 * @param phaseOf - The current phase of an execution, for status filters and sorting.
 * @param view - How each execution appears in `content`.
 */
export function listExecutions<T>(
  records: Iterable<ExecutionRecord>,
  query: ListQuery,
  phaseOf: (r: ExecutionRecord) => Phase,
  view: (r: ExecutionRecord) => T,
): ListPage<T> {
  const sort = parseSort(query.sort) ?? { field: 'createdAt', descending: true };
  const filter = query.filter?.trim() ?? '';
  const [key, ...rest] = filter.split(':');
  const value = rest.join(':').trim();
  const matches = (r: ExecutionRecord): boolean => {
    if (!filter) return true;
    const status = phaseOf(r).status;
    if (key?.trim() === 'status' && rest.length) return squash(status) === squash(value);
    if (key?.trim() === 'flowId' && rest.length) return r.script.id.toLowerCase() === value.toLowerCase();
    const text = filter.toLowerCase();
    return [r.script.displayName, r.script.id, r.id, status].some((s) => s.toLowerCase().includes(text));
  };
  const keyOf = (r: ExecutionRecord): string | number => {
    switch (sort.field) {
      case 'createdAt': return r.createdAtMs;
      case 'modifiedAt': return phaseOf(r).startMs;
      case 'status': return phaseOf(r).status;
      case 'flow': return r.script.displayName;
      case 'id': return r.id;
    }
  };
  const selected = [...records].filter(matches);
  // Array.prototype.sort is stable, so ties keep creation order.
  selected.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : 0;
    return sort.descending ? -order : order;
  });
  const start = query.page * query.size;
  return {
    content: selected.slice(start, start + query.size).map(view),
    page: query.page,
    size: query.size,
    totalElements: selected.length,
    totalPages: Math.ceil(selected.length / query.size),
  };
}
