import type { BatchJob } from 'smart-flows-rx';

/** Deeper than any input `toXml` accepts (100 levels): past it, values count as different. */
const MAX_DEPTH = 200;

/**
 * Whether two job lists are the same batch: the same length, and each job the same `key`, flow
 * and input (an XML string, or a plain object compared by value). `injectBatch` uses it as the
 * `equal` of its jobs signal, so a jobs function that recomputes an equal list (new objects,
 * same content) does not restart the batch. `null` and `undefined` (no jobs yet) are the same.
 * @param a - one list, or none
 * @param b - the other
 * @returns true when they describe the same jobs
 */
export function sameJobs(a: readonly BatchJob[] | null | undefined, b: readonly BatchJob[] | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((job, i) => job.key === b[i]!.key && job.flowId === b[i]!.flowId && sameValue(job.input, b[i]!.input, 0));
}

/** Structural equality of plain data (what inputs are): primitives, arrays, plain objects, dates. */
function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Arrays and plain objects of another realm (an iframe, a test's vm) are the same kind of data.
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) && !Array.isArray(a) && !(isPlain(a) && isPlain(b))) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  const keys = Object.keys(a);
  const other = b as Record<string, unknown>;
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(other, k) && sameValue((a as Record<string, unknown>)[k], other[k], depth + 1));
}

/** An object literal (of any realm: its prototype is an `Object.prototype`), or one made with `Object.create(null)`. */
const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
};
