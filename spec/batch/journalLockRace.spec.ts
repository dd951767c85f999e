import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// Stress: a lock left by a process that was killed (dead pid, this host), then N processes
// take it at the same instant, round after round. At most one may get in each round (exactly
// one: someone takes the stale lock over). Before the fix, a process that moved a live lock
// aside by mistake put it back over a third process's new lock: two holders, ~1 round in 20.

const N = 8;
const ROUNDS = 60;

const dir = mkdtempSync(join(tmpdir(), 'sfrx-lockrace-'));
const bundle = join(dir, 'lock.cjs');
const child = join(dir, 'child.cjs');
let children: ChildProcess[] = [];

interface Answer {
  got: boolean;
  message?: string;
}

beforeAll(() => {
  // The children run the lock's own module, bundled (the specs run from TypeScript sources).
  buildSync({ entryPoints: [join(__dirname, '../../lib/node/journalLock.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
  writeFileSync(
    child,
    `const { lockJournal } = require(${JSON.stringify(bundle)});
let release;
process.on('message', async (m) => {
  if (m.release) { await release?.(); release = undefined; process.send({ released: true }); return; }
  while (Date.now() < m.at) { /* line the starts up */ }
  try { release = await lockJournal(m.path); process.send({ got: true }); }
  catch (e) { process.send({ got: false, message: String(e.message).slice(0, 100) }); }
});
process.send({ ready: true });
`,
  );
});

afterAll(() => {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

const next = (c: ChildProcess) => new Promise<Answer & { ready?: boolean; released?: boolean }>((resolve) => c.once('message', resolve as (m: unknown) => void));

describe('journal lock: a stale lock taken over by many processes at once', () => {
  it(`lets exactly one of ${N} processes in, in each of ${ROUNDS} rounds`, async () => {
    children = Array.from({ length: N }, () => fork(child, [], { stdio: 'ignore' }));
    await Promise.all(children.map(next));
    const rounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const path = join(dir, `j${round}.jsonl`);
      writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 999_999_9, host: hostname(), since: '2026-12-07T00:00:00.000Z' })}\n`);
      const at = Date.now() + 40;
      const answers = await Promise.all(children.map((c) => (c.send({ path, at }), next(c))));
      rounds.push(answers.filter((a) => a.got).length);
      await Promise.all(children.map((c) => (c.send({ release: true }), next(c))));
    }
    const bad = rounds.map((got, round) => ({ round, got })).filter(({ got }) => got !== 1);
    expect(bad).toEqual([]);
    // Nothing left behind: no guard, no temporary file, no lock (each holder let go of it).
    expect(readdirSync(dir).filter((name) => name.startsWith('j'))).toEqual([]);
  }, 60_000);
});
