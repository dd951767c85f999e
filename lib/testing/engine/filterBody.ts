/**
 * The body of `POST /flows/executions/filter` (the SDK's FilterGroupNode): a node is a
 * `condition` or a nested `group` of nodes joined by `and`/`or`.
 */

/** The fields a filter condition may name, and what each compares. */
export type FilterKey = 'status' | 'createdAt' | 'modifiedAt' | 'flowId' | 'id';

/** What a condition compares an execution against: its values, read once per listing. */
export interface FilterSubject {
  status: string;
  createdAtMs: number;
  modifiedAtMs: number;
  flowId: string;
  id: string;
}

/** A parsed filter: true for the executions to list. */
export type FilterPredicate = (subject: FilterSubject) => boolean;

const KEYS: Record<string, FilterKey> = {
  status: 'status', createdat: 'createdAt', modifiedat: 'modifiedAt', flowid: 'flowId', 'flow.id': 'flowId', flow: 'flowId', id: 'id',
};
const OPERATORS = ['equals', 'in', 'lessThanOrEqualTo', 'greaterThanOrEqualTo', 'lessThan', 'greaterThan', 'notEquals'] as const;
type Operator = (typeof OPERATORS)[number];

// Statuses and ids compare without case, spaces or underscores, as clients are told to match them.
const squash = (s: string) => s.replace(/[\s_-]/g, '').toLowerCase();

/** Thrown for a body the simulator answers with 400. */
export class FilterBodyError extends Error {}

/**
 * Parses a filter body; throws {@link FilterBodyError} with the reason when it is not one.
 * Dates are ISO 8601 strings (or epoch milliseconds); `lessThanOrEqualTo` and
 * `greaterThanOrEqualTo` compare them as instants, statuses and ids as text.
 */
export function parseFilterBody(body: unknown, unsupported: UnsupportedKeys = {}): FilterPredicate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FilterBodyError('The filter body must be a JSON object');
  return parseNode(body as Record<string, unknown>, 0, unsupported);
}

/** Filter keys a less capable server does not honour: `'ignored'` matches every execution, `'refused'` is a 400. */
export type UnsupportedKeys = Partial<Record<FilterKey, 'ignored' | 'refused'>>;

function parseNode(node: Record<string, unknown>, depth: number, unsupported: UnsupportedKeys): FilterPredicate {
  if (depth > 16) throw new FilterBodyError('The filter nests too deeply');
  if (isObject(node.group)) return parseGroup(node.group, depth, unsupported);
  if (isObject(node.condition)) return parseCondition(node.condition, unsupported);
  throw new FilterBodyError('A filter node needs a group or a condition');
}

function parseGroup(group: Record<string, unknown>, depth: number, unsupported: UnsupportedKeys): FilterPredicate {
  const type = String(group.type ?? 'and').toLowerCase();
  if (type !== 'and' && type !== 'or') throw new FilterBodyError(`Unknown group type '${String(group.type)}': and, or`);
  if (!Array.isArray(group.nodes)) throw new FilterBodyError('A filter group needs nodes');
  const nodes = group.nodes.map((n) => {
    if (!isObject(n)) throw new FilterBodyError('A filter node must be an object');
    return parseNode(n, depth + 1, unsupported);
  });
  return type === 'and' ? (s) => nodes.every((p) => p(s)) : (s) => nodes.some((p) => p(s));
}

function parseCondition(condition: Record<string, unknown>, unsupported: UnsupportedKeys): FilterPredicate {
  const key = KEYS[String(condition.key ?? '').toLowerCase()];
  if (!key || unsupported[key] === 'refused') throw new FilterBodyError(`Unsupported filter key '${String(condition.key)}'`);
  if (unsupported[key] === 'ignored') return () => true;
  const operator = OPERATORS.find((o) => o.toLowerCase() === String(condition.operator ?? '').toLowerCase());
  if (!operator) throw new FilterBodyError(`Unsupported filter operator '${String(condition.operator)}': ${OPERATORS.join(', ')}`);
  const raw = Array.isArray(condition.values) ? condition.values : condition.value !== undefined ? [condition.value] : [];
  if (raw.length === 0 || (operator !== 'in' && raw.length !== 1)) throw new FilterBodyError(`Operator ${operator} needs ${operator === 'in' ? 'values' : 'one value'}`);
  const isTime = key === 'createdAt' || key === 'modifiedAt';
  if (isTime) {
    const times = raw.map(toMs);
    const field = key === 'createdAt' ? 'createdAtMs' : 'modifiedAtMs';
    return (s) => compare(operator, s[field], times);
  }
  const texts = raw.map((v) => squash(String(v)));
  const field = key as Exclude<FilterKey, 'createdAt' | 'modifiedAt'>;
  return (s) => compare(operator, squash(s[field]), texts);
}

function compare<T extends number | string>(operator: Operator, value: T, wanted: T[]): boolean {
  const first = wanted[0] as T;
  switch (operator) {
    case 'equals': return value === first;
    case 'notEquals': return value !== first;
    case 'in': return wanted.includes(value);
    case 'lessThanOrEqualTo': return value <= first;
    case 'greaterThanOrEqualTo': return value >= first;
    case 'lessThan': return value < first;
    case 'greaterThan': return value > first;
  }
}

function toMs(value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new FilterBodyError(`Not a date: '${String(value)}'`);
  return ms;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
