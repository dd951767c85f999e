import { describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, defer, lastValueFrom, of, throwError } from 'rxjs';
import { inputHash } from '../../lib/batch/inputHash';
import type { BatchJournal, JournalRecord } from '../../lib/batch/journalTypes';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import { openJournal, type OpenedJournal, type OpenJournalDeps } from '../../lib/batch/openJournal';
import { fileJournal } from '../../lib/node/fileJournal';
import type { BatchJob } from '../../lib/execution/batchTypes';
import { isSmartFlowsInputError } from '../../lib/errors';
import { isSmartFlowsJournalError } from '../../lib/batch/appendRecord';
import { FLOW_ID } from '../helpers/progress';

// A journal a person edited, a disk damaged or a crash cut: opening it either gives a
// consistent state, or fails with SmartFlowsJournalError naming the line (or SmartFlowsInputError
// when what is left is a valid journal of another batch) — never a TypeError, and never with a
// request sent first.

const AT = '2026-12-01T08:00:00.000Z';
const idOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const xmlOf = (i: number) => `<Job><N>${i}</N></Job>`;
const jobsOf = (n: number): BatchJob[] => Array.from({ length: n }, (_, i) => ({ flowId: FLOW_ID, input: xmlOf(i), key: `k${i}` }));

type Life = 'new' | 'starting' | 'started' | 'succeeded' | 'failed' | 'refused' | 'uncertain' | 'written';

/** The records a job with this life leaves (in order). */
function lifeRecords(i: number, life: Life): JournalRecord[] {
  const key = `k${i}`;
  const executionId = idOf(i);
  const starting: JournalRecord = { type: 'starting', at: AT, key };
  const started: JournalRecord = { type: 'started', at: AT, key, executionId };
  const ok: JournalRecord = { type: 'ended', at: AT, key, executionId, outcome: { state: 'succeeded', status: 'Success', documents: [{ id: `d${i}`, displayName: `Doc ${i}.pdf` }] } };
  switch (life) {
    case 'new':
      return [];
    case 'starting':
      return [starting];
    case 'started':
      return [starting, started];
    case 'succeeded':
      return [starting, started, ok];
    case 'failed':
      return [starting, started, { type: 'ended', at: AT, key, executionId, outcome: { state: 'failed', status: 'Error', documents: [], error: { name: 'FlowExecutionError', message: 'The flow ended with status Error' } } }];
    case 'refused':
      return [starting, { type: 'ended', at: AT, key, outcome: { state: 'failed', documents: [], error: { name: 'SmartFlowsHttpError', message: 'The server answered POST with HTTP 400', httpStatus: 400 } } }];
    case 'uncertain':
      return [starting, { type: 'uncertain', at: AT, key, reason: 'could not tell', candidateIds: [idOf(90 + i)] }];
    case 'written':
      return [starting, started, ok, { type: 'written', at: AT, key, documentId: `d${i}`, file: `out/k${i}/Doc ${i}.pdf`, bytes: 10 }];
  }
}

/** A valid journal: the plan, then the jobs' records interleaved as `picks` say (each job's in order). */
const validJournal = fc
  .integer({ min: 1, max: 4 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      lives: fc.array(fc.constantFrom<Life>('new', 'starting', 'started', 'succeeded', 'failed', 'refused', 'uncertain', 'written'), { minLength: n, maxLength: n }),
      picks: fc.array(fc.nat(), { maxLength: 30 }),
    }),
  )
  .map(({ n, lives, picks }) => {
    const queues = lives.map((life, i) => lifeRecords(i, life));
    const plan: JournalRecord = { type: 'planned', v: 1, at: AT, jobs: jobsOf(n).map((j, i) => ({ key: j.key!, flowId: FLOW_ID, inputHash: inputHash(FLOW_ID, xmlOf(i)) })) };
    const records: JournalRecord[] = [plan];
    let p = 0;
    while (queues.some((q) => q.length > 0)) {
      const left = queues.filter((q) => q.length > 0);
      records.push(left[(picks[p++] ?? 0) % left.length]!.shift()!);
    }
    return { n, records: records as unknown[] };
  });

const FIELDS = ['type', 'v', 'at', 'jobs', 'key', 'executionId', 'outcome', 'adopted', 'reason', 'candidateIds', 'documentId', 'file', 'bytes'];
const NESTED = ['state', 'status', 'documents', 'error'];

/** One change a person or a damaged disk may make. */
type Mutation = (records: unknown[]) => unknown[];
const at = (records: unknown[], i: number) => (records.length === 0 ? 0 : i % records.length);
const asObject = (value: unknown) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ i: fc.nat(), field: fc.constantFrom(...FIELDS) }).map(({ i, field }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) && asObject(r) ? (({ [field]: _, ...rest }) => rest)(asObject(r)!) : r))),
  fc.record({ i: fc.nat(), field: fc.constantFrom(...FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ i, field, value }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) && asObject(r) ? { ...asObject(r), [field]: value } : r))),
  fc.record({ i: fc.nat(), field: fc.constantFrom(...NESTED), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ i, field, value }) => (rs: unknown[]) =>
    rs.map((r, j) => {
      const o = asObject(r);
      return j === at(rs, i) && asObject(o?.outcome) ? { ...o, outcome: { ...asObject(o!.outcome), [field]: value } } : r;
    }),
  ),
  fc.record({ i: fc.nat(), value: fc.constantFrom('yesterday', '', '2026-13-45T99:00:00Z', 'NaN', '1970-01-01T00:00:00.000Z') }).map(({ i, value }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) && asObject(r) ? { ...asObject(r), at: value } : r))),
  fc.record({ i: fc.nat(), key: fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k9', '') }).map(({ i, key }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) && asObject(r) ? { ...asObject(r), key } : r))),
  fc.record({ i: fc.nat(), id: fc.nat({ max: 4 }) }).map(({ i, id }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) && asObject(r) ? { ...asObject(r), executionId: idOf(id) } : r))),
  fc.nat().map((k) => (rs: unknown[]) => rs.slice(0, at(rs, k))),
  fc.record({ i: fc.nat(), j: fc.nat() }).map(({ i, j }) => (rs: unknown[]) => {
    const copy = [...rs];
    if (rs.length > 0) copy.splice(at(rs, j), 0, structuredClone(rs[at(rs, i)]));
    return copy;
  }),
  fc.record({ i: fc.nat(), j: fc.nat() }).map(({ i, j }) => (rs: unknown[]) => {
    const copy = [...rs];
    if (rs.length > 0) [copy[at(rs, i)], copy[at(rs, j)]] = [copy[at(rs, j)], copy[at(rs, i)]];
    return copy;
  }),
  fc.record({ i: fc.nat(), value: fc.jsonValue({ maxDepth: 1 }) }).map(({ i, value }) => (rs: unknown[]) => rs.map((r, j) => (j === at(rs, i) ? value : r))),
);

const corrupted = fc.record({ journal: validJournal, mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }).map(({ journal, mutations }) => ({
  n: journal.n,
  records: mutations.reduce((rs, m) => m(rs), journal.records),
}));

/** Deps that count every request; listings find nothing (so a `starting` job is started again). */
function countingDeps() {
  const sent: string[] = [];
  const deps: OpenJournalDeps = {
    prepare: (job) => of(job.input as string | undefined),
    listExecutions: (options) => defer(() => (sent.push('list'), of({ items: [], page: options.page ?? 0, size: options.size ?? 100 }))),
    getExecution: (id) => defer(() => (sent.push(`get ${id}`), throwError(() => new Error('no such execution')))),
  };
  return { sent, deps };
}

/** Opens the journal; what came out, and every request sent. */
async function open(journal: BatchJournal, n: number) {
  const { sent, deps } = countingDeps();
  const jobs = jobsOf(n);
  try {
    const opened = await lastValueFrom(openJournal(deps, journal, asyncScheduler, jobs, jobs.map((j) => j.key!)));
    return { opened, sent };
  } catch (error) {
    return { error, sent };
  }
}

/** The state is consistent: one plan per job, each execution id one job's, outcomes of the journal's shape. */
function expectConsistent(opened: OpenedJournal, n: number) {
  expect(opened.plans).toHaveLength(n);
  const ids = opened.plans.flatMap((p) => ('executionId' in p && p.executionId !== undefined ? [p.executionId.toLowerCase()] : []));
  expect(new Set(ids).size).toBe(ids.length);
  for (const plan of opened.plans) {
    if (plan.kind === 'ended') {
      expect(['succeeded', 'failed']).toContain(plan.outcome.state);
      expect(plan.outcome.status === undefined || typeof plan.outcome.status === 'string').toBe(true);
      expect(Array.isArray(plan.outcome.documents)).toBe(true);
    }
  }
  const { resumed, adopted, restarted, uncertain } = opened.summary;
  expect(resumed + adopted + restarted + uncertain).toBeLessThanOrEqual(n);
}

/** Failed as allowed: a journal error naming a line within the journal, or the plan of another batch; nothing sent. */
function expectRefused(error: unknown, sent: string[], lines: number, word: 'line' | 'record') {
  expect(sent).toEqual([]);
  if (isSmartFlowsJournalError(error)) {
    const { line } = error as { line?: number };
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines);
    expect(error.message).toContain(`${word} ${line}`);
    return;
  }
  expect(isSmartFlowsInputError(error)).toBe(true);
  expect((error as Error).message).toMatch(/a journal resumes only the same batch/);
}

describe('opening a corrupted journal (random mutations, truncations, duplicates)', () => {
  test.prop([corrupted], { numRuns: 300 })('in memory: a consistent state, or a typed error naming the record, with nothing sent', async ({ n, records }) => {
    const result = await open(memoryJournal(records as JournalRecord[]), n);
    if ('opened' in result) expectConsistent(result.opened!, n);
    else expectRefused(result.error, result.sent, records.length, 'record');
  });

  test.prop([corrupted, fc.option(fc.nat(), { nil: undefined })], { numRuns: 60 })(
    'in a file (also cut mid-line): a consistent state, or SmartFlowsJournalError naming the file and the line, with nothing sent',
    async ({ n, records }, cut) => {
      const path = join(mkdtempSync(join(tmpdir(), 'sfrx-corrupt-')), 'batch.jsonl');
      const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
      writeFileSync(path, cut === undefined ? text : text.slice(0, cut % (text.length + 1)));
      const journal = fileJournal(path, { lock: false });
      const result = await open(journal, n);
      if ('opened' in result) expectConsistent(result.opened!, n);
      else {
        expectRefused(result.error, result.sent, records.length, 'line');
        if (isSmartFlowsJournalError(result.error)) expect((result.error as Error).message).toContain(path);
      }
    },
  );

  test.prop([validJournal], { numRuns: 100 })('a valid journal always opens', async ({ n, records }) => {
    const result = await open(memoryJournal(records as JournalRecord[]), n);
    expect(result).not.toHaveProperty('error');
  });
});
