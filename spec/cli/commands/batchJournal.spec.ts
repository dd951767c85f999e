import { describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import type { JournalRecord } from 'smart-flows-rx';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines, type CliRun } from '../support/cli';
import { useCliFixture } from '../support/fixture';
import { testClient } from '../support/server';

const cli = useCliFixture();

let flows = 0;
/**
 * A batch of its own: a flow only it runs (so the server's executions of that flow are exactly
 * the batch's) and a CSV of `keys` whose inputs differ, and the journal's path.
 */
function newBatch(name: string, keys: readonly string[]) {
  const flowId = `5f1a0000-0000-4000-8000-0000000001${String(++flows).padStart(2, '0')}`;
  cli.server.simulator.addFlow({ ...builtInFlows.short, id: flowId, displayName: `Letter (${name})`, stages: builtInFlows.short.stages.map((s) => ({ ...s, durationMs: 100 })) });
  const jobs = cli.file(`${name}.csv`, `key,To\n${keys.map((k) => `${k},${name}-${k}`).join('\n')}\n`);
  const journal = join(cli.dir, `${name}.journal`);
  const args = (...more: string[]) => ['batch', jobs, '--flow', flowId, '--journal', journal, ...more];
  return { flowId, jobs, journal, args };
}

const records = (journal: string): JournalRecord[] =>
  readFileSync(journal, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JournalRecord);

/** The server's executions of a flow, by the job key their input names (`<To>name-key</To>`). */
async function executionsByKey(flowId: string, name: string): Promise<Record<string, string[]>> {
  const client = testClient(cli.server);
  const { items } = await lastValueFrom(client.listExecutions({ flowId, size: 100 }));
  const byKey: Record<string, string[]> = {};
  for (const { id } of items) {
    const xml = (await lastValueFrom(client.getExecution(id))).state?.inputData as { xml?: string };
    const key = new RegExp(`<To>${name}-(\\w+)</To>`).exec(xml?.xml ?? '')?.[1] ?? '?';
    (byKey[key] ??= []).push(id);
  }
  return byKey;
}

/** Every job ran exactly once on the server, ended in the journal exactly once, and the resumed run reported each once. */
async function expectEachJobOnce(batch: ReturnType<typeof newBatch>, name: string, keys: readonly string[], resumed: CliRun) {
  const byKey = await executionsByKey(batch.flowId, name);
  expect(Object.keys(byKey).sort()).toEqual([...keys].sort());
  for (const key of keys) expect({ key, executions: byKey[key]!.length }).toEqual({ key, executions: 1 });
  const ended = records(batch.journal).filter((r) => r.type === 'ended');
  expect(ended.map((r) => r.key).sort()).toEqual([...keys].sort());
  for (const r of ended) expect(r).toMatchObject({ executionId: byKey[r.key]![0], outcome: { state: 'succeeded', status: 'Success' } });
  const reported = jsonLines(resumed.output().stdout).filter((l) => l.type === 'job' && l.state !== 'running');
  expect(reported.map((l) => l.key).sort()).toEqual([...keys].sort());
  for (const l of reported) expect(l).toMatchObject({ state: 'succeeded', executionId: byKey[l.key as string]![0] });
}

const KEYS = ['J1', 'J2', 'J3', 'J4', 'J5'];
/** Each test runs the CLI two or three times: on a loaded machine that outlasts Jest's 20 s (they wait on events, not on time). */
const SLOW = 60_000;

describe('smart-flows batch --journal', () => {
  it('resumes a batch stopped with Ctrl-C: the journal is whole, ended jobs come from it, none runs twice (exit 130, then 0)', async () => {
    const batch = newBatch('ctrlc', KEYS);
    const first = cli.start(batch.args('--concurrency', '2', '--json'));
    await first.waitFor(/"state":"succeeded"/, 'stdout');
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(jsonLines(stopped.stdout).at(-1)).toMatchObject({ type: 'interrupted', journal: batch.journal });
    expect(stopped.stderr).toContain(`Run the same command again to resume the batch from ${batch.journal}.`);
    // Flushed: every line whole, so nothing is reported torn on resume.
    expect(readFileSync(batch.journal, 'utf8').endsWith('\n')).toBe(true);
    const endedBefore = records(batch.journal).filter((r) => r.type === 'ended').length;
    expect(endedBefore).toBeGreaterThanOrEqual(1);

    const again = cli.start(batch.args('--concurrency', '2', '--json'));
    const resumed = await again.done;
    expect(resumed.code).toBe(0);
    const lines = jsonLines(resumed.stdout);
    const journal = lines.find((l) => l.type === 'journal')!;
    expect(journal).toMatchObject({ path: batch.journal, uncertain: 0 });
    expect(journal).not.toHaveProperty('tornLine');
    expect(lines.filter((l) => l.resumed === 'journal')).toHaveLength(endedBefore);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', total: 5, succeeded: 5, failed: 0, uncertain: 0, journal: { fromJournal: endedBefore } });
    await expectEachJobOnce(batch, 'ctrlc', KEYS, again);
  }, SLOW);

  it('resumes a batch killed mid-run (SIGKILL), and tolerates and reports a last journal line cut short', async () => {
    const batch = newBatch('kill', KEYS);
    const first = cli.start(batch.args('--concurrency', '2', '--json'));
    await first.waitFor(/"state":"succeeded"/, 'stdout');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // What a crash in the middle of a write leaves: half a record, no newline.
    appendFileSync(batch.journal, '{"type":"starting","at":"2026-12-0');

    const again = cli.start(batch.args('--concurrency', '2', '--json'));
    const resumed = await again.done;
    expect(resumed.code).toBe(0);
    expect(jsonLines(resumed.stdout).find((l) => l.type === 'journal')).toMatchObject({ tornLine: '{"type":"starting","at":"2026-12-0' });
    expect(resumed.stderr).toMatch(/kill\.journal: its last line was cut short \(the process died while writing it\) and was dropped/);
    await expectEachJobOnce(batch, 'kill', KEYS, again);
  }, SLOW);

  it('after a SIGKILL while starts were in flight, adopts the executions the server made instead of starting them again', async () => {
    const keys = ['S1', 'S2', 'S3'];
    const batch = newBatch('inflight', keys);
    // The server creates each execution, sends half its answer and holds the rest: the starts are in flight.
    cli.server.simulator.setFaults({ slowBodyMs: 600_000, routes: ['start'] });
    try {
      const first = cli.start(batch.args('--concurrency', '3', '--json'));
      await cli.events.until((s) => (s.stats.startsByFlow[batch.flowId] ?? 0) === 3);
      first.child.kill('SIGKILL');
      await first.done;
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
    expect(records(batch.journal).map((r) => r.type)).toEqual(['planned', 'starting', 'starting', 'starting']);

    const again = cli.start(batch.args());
    const resumed = await again.done;
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Resuming from ${batch.journal}: 0 resumed from the journal, 3 adopted, 0 restarted, 0 uncertain`);
    expect(resumed.stderr).toMatch(/3 jobs in [\d.]+ s: 3 succeeded, 0 failed; resumed: 0 ended before, 0 followed again, 3 adopted, 0 restarted, 0 uncertain\n/);
    expect(cli.server.simulator.stats.startsByFlow[batch.flowId]).toBe(3);
    expect(records(batch.journal).filter((r) => r.type === 'started').every((r) => r.type === 'started' && r.adopted)).toBe(true);
  }, SLOW);

  it('starts again the jobs whose start never reached the server (killed while the server held the request)', async () => {
    const keys = ['R1', 'R2'];
    const batch = newBatch('restart', keys);
    cli.server.simulator.setFaults({ latencyMs: 600_000, routes: ['start'] });
    try {
      const first = cli.start(batch.args('--json'));
      await cli.events.until((s) => s.requests.filter((r) => r.route === 'start' && r.path.includes(batch.flowId)).length === 2);
      first.child.kill('SIGKILL');
      await first.done;
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
    const resumed = await cli.run(batch.args('--json'));
    expect(resumed.code).toBe(0);
    expect(jsonLines(resumed.stdout).find((l) => l.type === 'journal')).toMatchObject({ resumed: 0, adopted: 0, restarted: 2, uncertain: 0 });
    expect(cli.server.simulator.stats.startsByFlow[batch.flowId]).toBe(2);
  }, SLOW);

  it('reports uncertain jobs when the server cannot rule out an earlier start (exit 1, what to do), and settles them on the next run', async () => {
    const keys = ['U1'];
    const batch = newBatch('uncertain', keys);
    cli.server.simulator.setFaults({ slowBodyMs: 600_000, routes: ['start'] });
    try {
      const first = cli.start(batch.args('--json'));
      await cli.events.until((s) => s.stats.startsByFlow[batch.flowId] === 1);
      first.child.kill('SIGKILL');
      await first.done;
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
    cli.events.refuse('list', 403);
    const unsure = await (async () => {
      try {
        return await cli.run(batch.args());
      } finally {
        cli.events.refuse(undefined);
      }
    })();
    expect(unsure.code).toBe(1);
    expect(unsure.stdout).toMatch(/^Uncertain +U1 {2}- {2}the flow's executions could not be listed: .*403/m);
    expect(unsure.stderr).toMatch(/1 job uncertain: an earlier run sent its start but lost the answer/);
    expect(unsure.stderr).toMatch(/Run the same command again to check once more/);
    expect(cli.server.simulator.stats.startsByFlow[batch.flowId]).toBe(1);

    const settled = await cli.run(batch.args());
    expect(settled.code).toBe(0);
    expect(settled.stderr).toContain('0 resumed from the journal, 1 adopted, 0 restarted, 0 uncertain');
    expect(cli.server.simulator.stats.startsByFlow[batch.flowId]).toBe(1);
  }, SLOW);

  it('refuses a journal written for another job list in one line, exit 2, nothing started', async () => {
    const batch = newBatch('other', ['O1', 'O2']);
    expect((await cli.run(batch.args())).code).toBe(0);
    const changed = cli.file('other.csv', 'key,To\nO1,other-O1\nO3,other-O3\n');
    const before = cli.server.simulator.stats.startsByFlow[batch.flowId];
    const result = await cli.run(['batch', changed, '--flow', batch.flowId, '--journal', batch.journal, '--json']);
    expect(result.code).toBe(2);
    const message = `${batch.journal} is the journal of another batch than ${changed}: The journal's batch has a job "O2" that this job list lacks: a journal resumes only the same batch (a new batch needs a new journal file)`;
    expect(result.stderr.split('\n').filter((l) => l.startsWith('smart-flows'))).toEqual([`smart-flows batch: ${message}`]);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ type: 'error', error: 'SmartFlowsInputError', message });
    expect(cli.server.simulator.stats.startsByFlow[batch.flowId]).toBe(before);
  }, SLOW);

  it('refuses a file that is not a journal, and a journal in a folder that does not exist, exit 2', async () => {
    const notJournal = cli.file('notes.txt', 'shopping list\nmilk\n');
    const jobs = cli.file('one.csv', 'key,To\nN1,Ann\n');
    const requests = cli.server.simulator.stats.byRoute.start;
    const garbage = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--journal', notJournal]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^smart-flows batch: .*notes\.txt is not a batch journal: .*line 1 is not a journal record$/m);
    const missing = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--journal', join(cli.dir, 'nowhere', 'b.journal')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toMatch(/^smart-flows batch: --journal .*b\.journal: the folder .*nowhere does not exist$/);
    expect(cli.server.simulator.stats.byRoute.start).toBe(requests);
  }, SLOW);
});

describe('smart-flows batch --journal: the journal cannot be written mid-batch', () => {
  it('names the execution whose start was answered as the journal failed (its "started" record was never written)', async () => {
    const batch = newBatch('unwritable', ['U1']);
    const starts = cli.server.simulator.stats.startsByFlow[batch.flowId] ?? 0;
    // The start's answer is held a moment; meanwhile the journal's path becomes a folder.
    cli.server.simulator.setFaults({ slowBodyMs: 1_500, routes: ['start'] });
    try {
      const run = cli.start(batch.args());
      await cli.events.until((s) => (s.stats.startsByFlow[batch.flowId] ?? 0) > starts);
      rmSync(batch.journal);
      mkdirSync(batch.journal);
      const result = await run.done;
      const [execution] = (await lastValueFrom(testClient(cli.server).listExecutions({ flowId: batch.flowId }))).items;
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/journal could not be written/i);
      expect(result.stderr).toContain(execution!.id);
    } finally {
      cli.server.simulator.setFaults(undefined);
    }
  });
});
