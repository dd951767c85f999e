import { defer, map, type Observable } from 'rxjs';
import * as z from 'zod/mini';
import { SmartFlowsInputError, SmartFlowsResponseError } from '../errors';
import type { Send } from '../http/send';
import { endpoints } from './endpoints';
import { parseExecution } from './schemas';
import type { SecretBook } from '../internal/secretBook';
import { redactingErrors, redactionOf } from './redaction';
import type { FlowExecution } from './types';

// This module is the listings part (see `internal/loadParts.ts`): it carries the redaction too.
export { redactionOf };

/** Options of `listExecutions`. */
export interface ListExecutionsOptions {
  /** Only the executions of this flow (`GET /flows/{flowId}/executions`); else all. */
  flowId?: string;
  /** 0-based page number. @default 0 */
  page?: number;
  /** Executions per page, 1–1000. @default 20 (the server's default) */
  size?: number;
  /** Spring-style order, e.g. `createdAt,desc`; passed on as is. */
  sort?: string;
  /** The server's filter expression; passed on as is. */
  filter?: string;
}

/** One page of executions (items usually without their `state`). */
export interface ExecutionPage {
  /** The executions of this page, in the server's order, statuses normalized (usually without `state`). */
  items: FlowExecution[];
  /** The 0-based page number. */
  page: number;
  /** The page size asked for (or answered). */
  size: number;
  /** All matching executions, when the server said. */
  totalItems?: number;
  /** Number of pages, when the server said (or `totalItems` tells). */
  totalPages?: number;
}

/** Largest page size accepted. */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 20;

const count = z.optional(z.nullable(z.number()));
const pageBody = z.union([
  z.array(z.unknown()),
  z.looseObject({ content: z.array(z.unknown()), number: count, page: count, size: count, totalElements: count, totalPages: count }),
  z.looseObject({ items: z.array(z.unknown()), page: count, size: count, totalItems: count, totalPages: count }),
]);

/**
 * Checks the options of a listing; every problem is a `SmartFlowsInputError`, before any request.
 * @returns the query to send
 */
export function checkListOptions(options: ListExecutionsOptions): Required<Pick<ListExecutionsOptions, 'page' | 'size'>> & ListExecutionsOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new SmartFlowsInputError('options must be an object');
  const { page = 0, size = DEFAULT_PAGE_SIZE, sort, filter, flowId } = options;
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 0) throw new SmartFlowsInputError(`page must be a whole number ≥ 0, got ${String(page)}`);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new SmartFlowsInputError(`size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`);
  }
  for (const [name, value] of [['sort', sort], ['filter', filter]] as const) {
    if (value !== undefined && typeof value !== 'string') throw new SmartFlowsInputError(`${name} must be a string`);
  }
  if (flowId !== undefined) endpoints.executions(flowId);
  return { ...options, page, size };
}

/** `GET /flows/executions` or `GET /flows/{flowId}/executions`, read into an `ExecutionPage`. */
export function listExecutionsCall(send: Send, options: ListExecutionsOptions, secrets?: SecretBook): Observable<ExecutionPage> {
  return defer(() => {
    const asked = checkListOptions(options);
    const { flowId, page, size, sort, filter } = asked;
    return send(() => ({
      method: 'GET',
      path: endpoints.executions(flowId),
      query: { page, size, sort: sort || undefined, filter: filter || undefined },
    })).pipe(map((body) => parsePage(body, asked)), redactingErrors(redactionOf(secrets)));
  });
}

/** A condition of a {@link ExecutionFilter}: `key operator values`, e.g. `modifiedAt greaterThanOrEqualTo ['2026-…Z']`. */
export interface ExecutionFilterCondition {
  key: string;
  operator: 'equals' | 'in' | 'lessThanOrEqualTo' | 'greaterThanOrEqualTo' | (string & {});
  values: string[];
}

/** The body of `POST /flows/executions/filter` (the SDK's FilterGroupNode): nested groups of conditions. */
export interface ExecutionFilter {
  group: { type: 'and' | 'or'; nodes: ({ condition: ExecutionFilterCondition } | ExecutionFilter)[] };
}

/** `POST /flows/executions/filter` with a filter body, paged and sorted like a listing. */
export function filterExecutionsCall(send: Send, filter: ExecutionFilter, options: Pick<ListExecutionsOptions, 'page' | 'size' | 'sort'>, secrets?: SecretBook): Observable<ExecutionPage> {
  return defer(() => {
    const { page, size, sort } = checkListOptions(options);
    return send(() => ({
      method: 'POST',
      path: endpoints.filterExecutions(),
      query: { page, size, sort: sort || undefined },
      body: JSON.stringify(filter),
      contentType: 'application/json',
    })).pipe(map((body) => parsePage(body, { page, size })), redactingErrors(redactionOf(secrets)));
  });
}

/**
 * Reads a listing answer in any of the shapes servers use: Spring's `{ content, number|page,
 * size, totalElements, totalPages }`, `{ items, totalItems }`, or a bare array.
 */
export function parsePage(body: unknown, asked: { page: number; size: number }): ExecutionPage {
  const result = pageBody.safeParse(body);
  if (!result.success) throw new SmartFlowsResponseError(`The server's answer is not a page of executions`, { issues: result.error.issues });
  const data = result.data;
  if (Array.isArray(data)) return { items: data.map((e) => parseExecution(e)), page: asked.page, size: asked.size };
  const fields = data as { content?: unknown[]; items?: unknown[]; number?: number | null; page?: number | null; size?: number | null; totalElements?: number | null; totalItems?: number | null; totalPages?: number | null };
  const raw = fields.content ?? fields.items ?? [];
  const total = fields.totalElements ?? fields.totalItems;
  const pageNo = fields.number ?? fields.page ?? asked.page;
  const size = fields.size ?? asked.size;
  const totalPages = fields.totalPages ?? (typeof total === 'number' && size > 0 ? Math.ceil(total / size) : undefined);
  return {
    items: raw.map((e) => parseExecution(e)),
    page: pageNo,
    size,
    ...(typeof total === 'number' ? { totalItems: total } : {}),
    ...(typeof totalPages === 'number' ? { totalPages } : {}),
  };
}
