import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord } from 'smart-flows-rx';
import { builtInFlows } from 'smart-flows-rx/testing';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
const SLOW = 60_000;

let flows = 0;
/** A finished two-job batch (J1, J2) on a flow of its own; its journal's records by kind and key. */
async function finishedBatch(name: string) {
  const flowId = `5f1a0000-0000-4000-8000-0000000002${String(++flows).padStart(2, '0')}`;
  cli.server.simulator.addFlow({ ...builtInFlows.short, id: flowId, displayName: `Letter (${name})`, stages: builtInFlows.short.stages.map((s) => ({ ...s, durationMs: 20 })) });
  const jobs = cli.file(`${name}.csv`, `key,To\nJ1,${name}-1\nJ2,${name}-2\n`);
  const journal = join(cli.dir, `${name}.journal`);
  const args = ['batch', jobs, '--flow', flowId, '--journal', journal];
  const first = await cli.run(args);
  expect(first.code).toBe(0);
  const records = readFileSync(journal, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const find = (type: string, key?: string) => structuredClone(records.find((r) => r.type === type && (key === undefined || r.key === key))!);
  return { flowId, journal, args, find };
}

/** Writes `lines` as the journal, runs the batch on it: it must exit 2 naming the file and `line`, with no request sent. */
async function expectRefused(batch: Awaited<ReturnType<typeof finishedBatch>>, lines: Record<string, unknown>[], line: number, what: RegExp) {
  writeFileSync(batch.journal, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const requests = cli.server.simulator.requests.length;
  const result = await cli.run(batch.args);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringContaining(`${batch.journal} is not a valid batch journal: line ${line}: `) });
  expect(result.stderr).toMatch(what);
  expect(result.stderr).not.toMatch(/TypeError|\n\s+at /);
  expect(cli.server.simulator.requests.length).toBe(requests);
}

describe('smart-flows batch --journal: a hand-edited or damaged journal is refused before anything is sent (exit 2, the line)', () => {
  it('an `ended` record whose outcome.status is an object', async () => {
    const b = await finishedBatch('status');
    const ended = b.find('ended', 'J1');
    (ended.outcome as Record<string, unknown>).status = { evil: true };
    await expectRefused(b, [b.find('planned'), b.find('starting', 'J1'), b.find('started', 'J1'), ended], 4, /outcome\.status/);
  }, SLOW);

  it('a `started` record without executionId', async () => {
    const b = await finishedBatch('noid');
    const started = b.find('started', 'J1');
    delete started.executionId;
    await expectRefused(b, [b.find('planned'), b.find('starting', 'J1'), started], 3, /executionId/);
  }, SLOW);

  it('a `planned` record without jobs', async () => {
    const b = await finishedBatch('nojobs');
    const planned = b.find('planned');
    delete planned.jobs;
    await expectRefused(b, [planned, b.find('starting', 'J1')], 1, /jobs/);
  }, SLOW);

  it('two jobs sharing one executionId', async () => {
    const b = await finishedBatch('shared');
    const [s1, s2, e1, e2] = [b.find('started', 'J1'), b.find('started', 'J2'), b.find('ended', 'J1'), b.find('ended', 'J2')];
    s2.executionId = s1.executionId;
    e2.executionId = e1.executionId;
    await expectRefused(b, [b.find('planned'), b.find('starting', 'J1'), s1, e1, b.find('starting', 'J2'), s2, e2], 6, /executionId .* job "J1"/);
  }, SLOW);

  it('an `at` that is not a time (which would widen the search for a lost start back to 1970)', async () => {
    const b = await finishedBatch('badat');
    const starting = b.find('starting', 'J2');
    starting.at = 'yesterday';
    await expectRefused(b, [b.find('planned'), b.find('starting', 'J1'), b.find('started', 'J1'), b.find('ended', 'J1'), starting], 5, /at/);
  }, SLOW);

  it('a record for a key the plan does not hold', async () => {
    const b = await finishedBatch('stranger');
    const starting = b.find('starting', 'J2');
    starting.key = 'J9';
    await expectRefused(b, [b.find('planned'), starting], 2, /J9/);
  }, SLOW);

  it('an `at` that Date.parse would take but is not ISO 8601 ("x 1", read as 2001)', async () => {
    const b = await finishedBatch('atjunk');
    await expectRefused(b, [b.find('planned'), { ...b.find('starting', 'J1'), at: 'x 1' }], 2, /a "starting" record whose at is not a time \(ISO 8601 expected\)/);
  }, SLOW);

  it('an `ended` record whose state and status disagree (succeeded, Error)', async () => {
    const b = await finishedBatch('mismatch');
    const ended = b.find('ended', 'J1');
    (ended.outcome as Record<string, unknown>).status = 'Error';
    await expectRefused(b, [b.find('planned'), b.find('starting', 'J1'), b.find('started', 'J1'), ended], 4, /outcome\.state "succeeded" does not fit outcome\.status "Error"/);
  }, SLOW);

  it('a journal saved with a UTF-8 byte order mark resumes (nothing started again)', async () => {
    const b = await finishedBatch('bom');
    writeFileSync(b.journal, `\uFEFF${readFileSync(b.journal, 'utf8')}`);
    const starts = cli.server.simulator.stats.startsByFlow[b.flowId];
    const again = await cli.run(b.args);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('2 resumed from the journal, 0 adopted, 0 restarted') });
    expect(cli.server.simulator.stats.startsByFlow[b.flowId]).toBe(starts);
  }, SLOW);
});

export type { JournalRecord };
