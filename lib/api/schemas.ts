import * as z from 'zod/mini';
import { SmartFlowsResponseError } from '../errors';
import { normalizeStatus } from './status';
import type { FlowExecution, FlowProgress } from './types';

const text = z.optional(z.nullable(z.string()));

/** The progress object; extra fields are kept. */
export const progressSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  percentage: z.optional(z.nullable(z.union([z.number(), z.string()]))),
  message: text,
  status: z.string(),
});

/** The full execution; extra fields are kept. */
export const executionSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  status: z.string(),
  createdAt: z.optional(z.unknown()),
  modifiedAt: z.optional(z.unknown()),
  flow: z.optional(z.nullable(z.looseObject({ id: z.optional(z.string()) }))),
  state: z.optional(z.nullable(z.looseObject({}))),
});

function parse<T>(schema: z.ZodMiniType<T>, body: unknown, what: string, executionId?: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new SmartFlowsResponseError(`The server's answer is not a valid ${what}`, {
      issues: result.error.issues,
      ...(executionId ? { executionId } : {}),
    });
  }
  return result.data;
}

function toPercentage(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return 0;
  // The server promises 0–100; anything else is clamped rather than shown as 140 %.
  return Math.min(100, Math.max(0, n));
}

/**
 * A progress answer of the usual shape, which {@link progressSchema} takes as it is: checked
 * here without zod, because it is every poll's answer. Anything else, valid or not, goes
 * through the schema (whose issues then say what is wrong). The spec
 * `spec/api/schemas.spec.ts` holds both ways to the same results.
 */
export function isPlainProgress(body: unknown): body is z.infer<typeof progressSchema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { id, status, percentage, message } = body as Record<string, unknown>;
  return (
    typeof id === 'string' && id.length > 0 && typeof status === 'string' &&
    (percentage === undefined || percentage === null || typeof percentage === 'string' || Number.isFinite(percentage)) &&
    (message === undefined || message === null || typeof message === 'string')
  );
}

/** Checks and normalizes a progress answer (status normalized, percentage clamped; its depth was bounded by the transport). */
export function parseProgress(body: unknown, executionId?: string): FlowProgress {
  const p = isPlainProgress(body) ? body : parse(progressSchema, body, 'progress object', executionId);
  // A literal of fixed shape, then any extra fields: a spread (`{ ...p, rawStatus }`) gave each
  // object a hidden class of its own once V8 optimized it (measured: 2,000 progress objects,
  // 2,000 maps), and every live execution keeps its latest progress.
  const progress: FlowProgress = {
    id: p.id,
    percentage: toPercentage(p.percentage),
    message: p.message ?? '',
    status: normalizeStatus(p.status),
    rawStatus: p.status,
  };
  for (const key of Object.keys(p)) {
    // A JSON field named `__proto__` is left out, as zod's copy leaves it out: kept, an
    // `Object.assign({}, progress)` by the app would set that object's prototype.
    if (key === '__proto__' || Object.hasOwn(progress, key)) continue;
    // defineProperty, not `=`: a field such as `constructor` stays a plain own field.
    Object.defineProperty(progress, key, { value: p[key], enumerable: true, writable: true, configurable: true });
  }
  return progress;
}

/** Checks and normalizes a full execution answer (its depth was bounded by the transport). */
export function parseExecution(body: unknown, executionId?: string): FlowExecution {
  const e = parse(executionSchema, body, 'execution', executionId);
  return { ...(e as Record<string, unknown>), id: e.id, status: normalizeStatus(e.status), rawStatus: e.status } as FlowExecution;
}
