import type { ExecutionRecord } from './ExecutionRecord.js';
import type { FilterPredicate } from './filterBody.js';
import type { Phase } from './timeline.js';

/** Paging and selection of a listing, as parsed from the query string. */
export interface ListQuery {
  /** 0-based page. */
  page: number;
  size: number;
  /** `field` or `field,asc|desc` (the API guide's form); see {@link SORT_FIELDS}. */
  sort?: string;
  /**
   * The API guide's form: comma-separated `key:value` conditions that must all hold, each
   * a case-insensitive "contains" (`displayName:Acc,status:running`); a bare word is
   * searched in flow name, flow id, execution id and status.
   */
  filter?: string;
  /** The parsed body of `POST /flows/executions/filter`, applied with `filter`. */
  where?: FilterPredicate;
}

/**
 * One page. `page`/`size`/`totalElements`/`totalPages` are the simulator's documented
 * fields; `number`, `numberOfElements`, `first`, `last` and `empty` repeat them the way a
 * Spring `Page` does, so a client written against either shape works.
 */
export interface ListPage<T> {
  content: T[];
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
  number: number;
  numberOfElements: number;
  first: boolean;
  last: boolean;
  empty: boolean;
}

/** Fields a listing sorts and filters on. */
export const SORT_FIELDS = ['createdAt', 'modifiedAt', 'status', 'id', 'displayName', 'flowId', 'createdBy'] as const;
type Field = (typeof SORT_FIELDS)[number];

// Statuses compare without case, spaces or underscores, as clients are told to match them.
const squash = (s: string) => s.replace(/[\s_]/g, '').toLowerCase();

/** Parses `sort` (ascending unless `,desc`; newest first when absent); `undefined` for an unknown field. */
export function parseSort(sort: string | undefined): { field: Field; descending: boolean } | undefined {
  if (!sort?.trim()) return { field: 'createdAt', descending: true };
  const [field = '', direction = 'asc', ...extra] = sort.split(',').map((s) => s.trim());
  if (extra.length || !(SORT_FIELDS as readonly string[]).includes(field)) return undefined;
  if (!/^(asc|desc)$/i.test(direction)) return undefined;
  return { field: field as Field, descending: direction.toLowerCase() === 'desc' };
}

/** Parses `filter`; `undefined` when a condition names an unknown field. */
export function parseFilter(filter: string | undefined): { field?: Field; value: string }[] | undefined {
  const conditions: { field?: Field; value: string }[] = [];
  for (const part of (filter ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon < 0) {
      conditions.push({ value: part });
      continue;
    }
    const field = part.slice(0, colon).trim();
    if (!(SORT_FIELDS as readonly string[]).includes(field)) return undefined;
    conditions.push({ field: field as Field, value: part.slice(colon + 1).trim() });
  }
  return conditions;
}

/**
 * Filters, sorts and pages executions.
 *
 * @param phaseOf - The current phase of an execution, for status and modifiedAt.
 * @param view - How each execution appears in `content`.
 */
export function listExecutions<T>(
  records: Iterable<ExecutionRecord>,
  query: ListQuery,
  phaseOf: (r: ExecutionRecord) => Phase,
  view: (r: ExecutionRecord) => T,
): ListPage<T> {
  const sort = parseSort(query.sort) ?? { field: 'createdAt', descending: true };
  const conditions = parseFilter(query.filter) ?? [];
  // Each record's phase is computed once per listing: a sort of thousands reads it often.
  const rows = [...records].map((r) => ({ r, phase: phaseOf(r) }));
  type Row = (typeof rows)[number];
  const valueOf = ({ r, phase }: Row, field: Field): string | number => {
    switch (field) {
      case 'createdAt': return r.createdAtMs;
      case 'modifiedAt': return Math.max(r.createdAtMs, phase.startMs);
      case 'status': return phase.status;
      case 'id': return r.id;
      case 'displayName': return r.script.displayName;
      case 'flowId': return r.script.id;
      case 'createdBy': return r.createdBy.displayName;
    }
  };
  const matches = (row: Row) =>
    conditions.every(({ field, value }) => {
      const wanted = squash(value);
      const fields: Field[] = field ? [field] : ['displayName', 'flowId', 'id', 'status'];
      return fields.some((f) => {
        const v = valueOf(row, f);
        return typeof v === 'string' && squash(v).includes(wanted);
      });
    }) &&
    (!query.where || query.where({
      status: row.phase.status,
      createdAtMs: row.r.createdAtMs,
      modifiedAtMs: valueOf(row, 'modifiedAt') as number,
      flowId: row.r.script.id,
      id: row.r.id,
    }));
  const selected = rows.filter(matches);
  // Array.prototype.sort is stable, so ties keep creation order — reversed for a descending
  // sort, so executions created in the same millisecond still come newest first.
  if (sort.descending) selected.reverse();
  const keys = new Map(selected.map((row) => [row, valueOf(row, sort.field)]));
  selected.sort((a, b) => {
    const ka = keys.get(a) as string | number;
    const kb = keys.get(b) as string | number;
    const order = ka < kb ? -1 : ka > kb ? 1 : 0;
    return sort.descending ? -order : order;
  });
  const startIndex = query.page * query.size;
  const content = selected.slice(startIndex, startIndex + query.size).map((row) => view(row.r));
  const totalPages = Math.ceil(selected.length / query.size);
  return {
    content,
    page: query.page,
    size: query.size,
    totalElements: selected.length,
    totalPages,
    number: query.page,
    numberOfElements: content.length,
    first: query.page === 0,
    last: query.page >= totalPages - 1,
    empty: content.length === 0,
  };
}
