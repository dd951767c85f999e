import * as z from 'zod/mini';
import { SmartFlowsJournalError } from './journalError';
import type { JournalContents, JournalRecord } from './journalTypes';

// The journal's rules, in one place: what each record must hold (the schemas) and how the
// records of one journal must fit together (checkJournal). Every journal a batch reads is
// checked here before anything is sent, whatever its store.

const nonEmpty = z.string().check(z.minLength(1));
/** A time as the journal writes it (ISO 8601, `Date.toISOString()`'s form, or with an offset): `Date.parse` alone takes junk ("x 1" is 2001 to it). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const at = z.string().check(
  z.refine((text) => ISO_TIME.test(text) && Number.isFinite(Date.parse(text)), { message: 'not a time (ISO 8601 expected)' }),
);
const STATUSES = ['Queued', 'Running', 'Waiting', 'UserInput', 'SelectFlow', 'Success', 'Warning', 'Error', 'Canceled', 'Interrupted', 'Unknown'] as const;

const outcome = z.looseObject({
  state: z.enum(['succeeded', 'failed']),
  status: z.optional(z.enum(STATUSES)),
  documents: z.array(z.looseObject({ id: nonEmpty, displayName: z.optional(z.string()) })),
  error: z.optional(
    z.looseObject({
      name: z.string(),
      message: z.string(),
      httpStatus: z.optional(z.number().check(z.int())),
    }),
  ),
});

/** Each record's shape, by its `type` (extra fields are let through, for later versions that add some). */
const SCHEMAS: Record<JournalRecord['type'], z.ZodMiniType> = {
  planned: z.looseObject({
    type: z.literal('planned'),
    v: z.literal(1),
    at,
    jobs: z.array(z.looseObject({ key: nonEmpty, flowId: nonEmpty, inputHash: z.string() })),
  }),
  starting: z.looseObject({ type: z.literal('starting'), at, key: nonEmpty }),
  started: z.looseObject({ type: z.literal('started'), at, key: nonEmpty, executionId: nonEmpty, adopted: z.optional(z.literal(true)) }),
  ended: z.looseObject({ type: z.literal('ended'), at, key: nonEmpty, executionId: z.optional(nonEmpty), outcome }),
  uncertain: z.looseObject({ type: z.literal('uncertain'), at, key: nonEmpty, reason: z.string(), candidateIds: z.array(z.string()) }),
  written: z.looseObject({
    type: z.literal('written'),
    at,
    key: nonEmpty,
    documentId: nonEmpty,
    file: nonEmpty,
    bytes: z.number().check(z.int(), z.nonnegative()),
  }),
};

/**
 * What does not fit in an ended record's outcome (a hand edit): `succeeded` only with status
 * Success or Warning and no error; `failed` always with its error (its status may be any: an
 * execution that ended Success can still fail the job, when its output could not be had).
 */
const outcomeMismatch = (outcome: Extract<JournalRecord, { type: 'ended' }>['outcome']): string | undefined => {
  if (outcome.state === 'succeeded') {
    if (outcome.status !== undefined && outcome.status !== 'Success' && outcome.status !== 'Warning')
      return `outcome.state "succeeded" does not fit outcome.status "${outcome.status}" (a job succeeds with "Success" or "Warning")`;
    if (outcome.error !== undefined) return 'outcome.state is "succeeded" but it has an outcome.error';
    return undefined;
  }
  return outcome.error === undefined ? 'outcome.state is "failed" but it has no outcome.error' : undefined;
};

/** Where a job is in its life, as far as the records so far go. */
type Phase = 'new' | 'starting' | 'started' | 'ended';

/** Which record may follow which phase of a job (`written` and `uncertain` do not move it). */
const ALLOWED: Record<Exclude<JournalRecord['type'], 'planned'>, readonly Phase[]> = {
  // A start again after reconciliation found none keeps the job `starting`.
  starting: ['new', 'starting'],
  started: ['starting'],
  ended: ['starting', 'started'],
  uncertain: ['starting'],
  // A caller may save a document as soon as the output came, before `ended` is durable.
  written: ['started', 'ended'],
};

const NEXT: Record<Exclude<JournalRecord['type'], 'planned'>, Phase | undefined> = {
  starting: 'starting',
  started: 'started',
  ended: 'ended',
  uncertain: undefined,
  written: undefined,
};

/** What a value is, in a word or two (never the value itself: the file is shown as little as possible). */
const kindOf = (value: unknown): string => {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'empty' : 'a string';
  return `a ${typeof value}`;
};

const valueAt = (record: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined), record);

/** A text from the journal, quoted for a message: at most 60 characters, controls and bidi marks escaped (a terminal shows it). */
const quote = (value: unknown): string =>
  (JSON.stringify(typeof value === 'string' ? value.slice(0, 60) : value) ?? 'undefined').replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** One of zod's issues in words (zod/mini carries no messages of its own). */
const describeIssue = (issue: z.core.$ZodIssue, record: unknown): string => {
  const path = issue.path.length === 0 ? 'the record' : issue.path.map(String).join('.');
  const found = kindOf(valueAt(record, issue.path));
  switch (issue.code) {
    case 'invalid_type':
      return found === 'missing' ? `${path} is missing` : `${path} must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`} (it is ${found})`;
    case 'invalid_value': {
      const value = valueAt(record, issue.path);
      const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? quote(value) : found;
      return `${path} must be ${issue.values.map((v) => quote(v)).join(' or ')} (it is ${shown})`;
    }
    case 'too_small':
      return issue.origin === 'string' ? `${path} must not be empty` : `${path} must be at least ${String(issue.minimum)}`;
    case 'custom':
      return `${path} is ${issue.message}`;
    default:
      return `${path} is not valid (${issue.code})`;
  }
};

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/**
 * Checks a journal's records before a batch acts on them: each record's shape (a known `type`,
 * its fields, an `at` that is a time), then how they fit together — one `planned` record, first;
 * every key in the plan, once; each job's records in the order of its life (`starting` →
 * `started` → `ended`; `written` once started); one execution id per job and one job per execution id.
 * @param contents - what the store read (its `lines`, when given, name the lines in errors)
 * @param source - the store's name for messages (a file's path)
 * @throws SmartFlowsJournalError naming the first record that breaks a rule, with its `line`
 */
export function checkJournal(contents: JournalContents, source?: string): void {
  const { records, lines } = contents;
  const fail = (index: number, what: string): never => {
    const line = lines?.[index] ?? index + 1;
    const where = `${lines ? 'line' : 'record'} ${line}`;
    throw new SmartFlowsJournalError(`${source === undefined ? 'The batch journal is not valid' : `${source} is not a valid batch journal`}: ${where}: ${what}`, undefined, { line });
  };
  const phases = new Map<string, Phase>();
  const idOfJob = new Map<string, string>();
  const jobOfId = new Map<string, string>();
  records.forEach((record: unknown, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return fail(index, 'not a record (a JSON object expected)');
    const type = (record as { type?: unknown }).type;
    const schema = typeof type === 'string' && Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type as JournalRecord['type']] : undefined;
    if (!schema) return fail(index, `unknown record type ${quote(type)}`);
    const parsed = schema.safeParse(record);
    if (!parsed.success) return fail(index, `${article(type as string)} "${type as string}" record whose ${parsed.error.issues.map((issue) => describeIssue(issue, record)).join('; ')}`);
    const r = record as JournalRecord;
    const mismatch = r.type === 'ended' ? outcomeMismatch(r.outcome) : undefined;
    if (mismatch) return fail(index, `an "ended" record whose ${mismatch}`);
    if (r.type === 'planned') {
      if (index !== 0) return fail(index, 'a second "planned" record, or one after other records (the plan comes first, once)');
      for (const job of r.jobs) {
        if (phases.has(job.key)) return fail(index, `the plan lists job ${quote(job.key)} twice`);
        phases.set(job.key, 'new');
      }
      return;
    }
    if (index === 0) return fail(index, `a "${r.type}" record before the "planned" record (the plan comes first)`);
    const phase = phases.get(r.key);
    if (phase === undefined) return fail(index, `job ${quote(r.key)} is not in the plan`);
    if (!ALLOWED[r.type].includes(phase)) return fail(index, `a "${r.type}" record for job ${quote(r.key)} ${phase === 'new' ? 'before its "starting"' : `after its "${phase}"`}`);
    const executionId = r.type === 'started' || r.type === 'ended' ? r.executionId : undefined;
    if (executionId !== undefined) {
      const id = executionId.toLowerCase();
      const owner = jobOfId.get(id);
      if (owner !== undefined && owner !== r.key) return fail(index, `executionId ${quote(executionId)} of job ${quote(r.key)} is already job ${quote(owner)}'s`);
      const own = idOfJob.get(r.key);
      if (own !== undefined && own !== id) return fail(index, `job ${quote(r.key)} has a second executionId ${quote(executionId)}`);
      jobOfId.set(id, r.key);
      idOfJob.set(r.key, id);
    }
    const next = NEXT[r.type];
    if (next) phases.set(r.key, next);
  });
}
