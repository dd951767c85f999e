import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
const SLOW = 60_000;

let flows = 0;
/** A batch of `n` jobs on a flow of its own whose one stage lasts `stageMs`. */
function newBatch(name: string, n: number, stageMs: number) {
  const flowId = `5f1a0000-0000-4000-8000-0000000003${String(++flows).padStart(2, '0')}`;
  cli.server.simulator.addFlow({ ...builtInFlows.short, id: flowId, displayName: `Letter (${name})`, stages: [{ message: 'Generate document', percentage: 0, durationMs: stageMs }] });
  const keys = Array.from({ length: n }, (_, i) => `K${i + 1}`);
  const jobs = cli.file(`${name}.csv`, `key,To\n${keys.map((k) => `${k},${name}-${k}`).join('\n')}\n`);
  const journal = join(cli.dir, `${name}.journal`);
  return { flowId, keys, journal, args: ['batch', jobs, '--flow', flowId, '--journal', journal, '--concurrency', String(n)] };
}

const starts = (flowId: string) => cli.server.simulator.stats.startsByFlow[flowId] ?? 0;

/** A pid that surely ran on this host and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('smart-flows batch --journal: one process at a time', () => {
  it('two processes started at once on one journal: every job starts once, the loser exits 2 naming the winner', async () => {
    const batch = newBatch('twice', 10, 1_500);
    const [a, b] = [cli.start(batch.args), cli.start(batch.args)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(starts(batch.flowId)).toBe(10);
    // Usually one is refused; if one had ended before the other read the journal, the other resumed it (nothing started).
    const codes = [ra.code, rb.code].sort();
    expect([[0, 0], [0, 2]]).toContainEqual(codes);
    for (const [loser, winner] of [[ra, b], [rb, a]] as const) {
      if (loser.code === 2) expect(loser.stderr).toContain(`smart-flows batch: journal ${batch.journal} is in use by pid ${winner.child.pid} on host ${hostname()} since `);
    }
    expect(existsSync(`${batch.journal}.lock`)).toBe(false);
  }, SLOW);

  it('a second process while the first runs: exit 2 before anything is sent; the lock goes with the first (Ctrl-C)', async () => {
    const batch = newBatch('second', 2, 60_000);
    const first = cli.start([...batch.args, '--json']);
    await first.waitFor(/"state":"running"/, 'stdout');
    // The first one polls on: the second must send no request of its own (no start, no listing).
    const sent = () => cli.server.simulator.requests.filter((r) => r.route !== 'progress' && r.route !== 'execution').length;
    const requests = sent();
    const second = await cli.run([...batch.args, '--json']);
    expect(second.code).toBe(2);
    const holder = JSON.parse(readFileSync(`${batch.journal}.lock`, 'utf8')) as { pid: number; host: string; since: string };
    // (On Linux the lock also holds the process's start, which tells a reused pid from it.)
    expect(holder).toMatchObject({ pid: first.child.pid, host: hostname(), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(second.stderr).toContain(`smart-flows batch: journal ${batch.journal} is in use by pid ${holder.pid} on host ${holder.host} since ${holder.since}`);
    expect(sent()).toBe(requests);
    // The same journal through another name (a symlink, e.g. a "current" link of ops scripts): the same lock.
    const link = join(cli.dir, 'another-name.journal');
    symlinkSync(batch.journal, link);
    const third = await cli.run([...batch.args.map((arg) => (arg === batch.journal ? link : arg)), '--json']);
    expect({ code: third.code, stderr: third.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining(`smart-flows batch: journal ${link} (the file ${batch.journal}) is in use by pid ${holder.pid}`),
    });
    // The lock to delete is named as it is (not garbled by the name given).
    expect(third.stderr).toContain(`if that process is gone, delete ${batch.journal}.lock)`);
    expect(sent()).toBe(requests);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    expect(existsSync(`${batch.journal}.lock`)).toBe(false);
    expect(starts(batch.flowId)).toBe(2);
  }, SLOW);

  it('takes over the stale lock a SIGKILLed run left, and the lock of a pid that is gone', async () => {
    const batch = newBatch('stale', 3, 300);
    const first = cli.start([...batch.args, '--json']);
    await first.waitFor(/"state":"running"/, 'stdout');
    first.child.kill('SIGKILL');
    await first.done;
    expect(JSON.parse(readFileSync(`${batch.journal}.lock`, 'utf8'))).toMatchObject({ pid: first.child.pid, host: hostname() });
    const again = await cli.run(batch.args);
    expect(again.code).toBe(0);
    expect(existsSync(`${batch.journal}.lock`)).toBe(false);
    expect(starts(batch.flowId)).toBe(3);

    const other = newBatch('gone', 1, 10);
    writeFileSync(`${other.journal}.lock`, JSON.stringify({ pid: await deadPid(), host: hostname(), since: '2026-12-01T00:00:00.000Z' }));
    expect((await cli.run(other.args)).code).toBe(0);
    expect(existsSync(`${other.journal}.lock`)).toBe(false);
  }, SLOW);

  it('never takes over a lock from another host: exit 2 naming it', async () => {
    const batch = newBatch('elsewhere', 1, 10);
    writeFileSync(`${batch.journal}.lock`, JSON.stringify({ pid: 4242, host: 'build-agent-7', since: '2026-12-01T00:00:00.000Z' }));
    const result = await cli.run(batch.args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`journal ${batch.journal} is in use by pid 4242 on host build-agent-7 since 2026-12-01T00:00:00.000Z`);
    expect(starts(batch.flowId)).toBe(0);
  }, SLOW);

  it('a second process on a symbolic link to the journal (a "current" link): exit 2 naming the first, nothing sent', async () => {
    const batch = newBatch('linked', 2, 60_000);
    const link = join(cli.dir, 'current.journal');
    symlinkSync(batch.journal, link);
    const first = cli.start([...batch.args, '--json']);
    try {
      await first.waitFor(/"state":"running"/, 'stdout');
      // Bounded: a second process that got in would resume the first's jobs and wait on them.
      const second = await cli.run([...batch.args.map((arg) => (arg === batch.journal ? link : arg)), '--timeout', '3s']);
      expect({ code: second.code, stderr: second.stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`smart-flows batch: journal ${link} (the file ${batch.journal}) is in use by pid ${first.child.pid} on host ${hostname()} since `),
      });
      expect(starts(batch.flowId)).toBe(2);
    } finally {
      first.child.kill('SIGINT');
    }
    expect((await first.done).code).toBe(130);
  }, SLOW);
});
