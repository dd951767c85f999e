import { describe, expect, it, jest } from '@jest/globals';
import { watch, writeFileSync, mkdirSync, readdirSync, readFileSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('smart-flows batch --out', () => {
  it('writes keys that clean to the same folder into distinct folders, none overwritten (a/b, a:b, a_b, " a_b ", INV 2026/17, INV 2026_17)', async () => {
    const keys = ['a/b', 'a:b', 'a_b', ' a_b ', 'INV 2026/17', 'INV 2026_17'];
    const jobs = cli.file('collide.jsonl', keys.map((key) => JSON.stringify({ key, input: '<a/>' })).join('\n'));
    const out = join(cli.dir, 'collide');
    const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--out', out, '--json']);
    expect(result.code).toBe(0);
    const written = jsonLines(result.stdout).filter((l) => l.type === 'job' && l.state === 'succeeded').flatMap((l) => l.documents as { path: string }[]);
    expect(written).toHaveLength(6);
    expect(new Set(written.map((d) => d.path)).size).toBe(6);
    expect(filesUnder(out)).toHaveLength(6);
    // A key that is a safe name as it is keeps it; the others get a stable hash suffix.
    const hashed = (name: string) => expect.stringMatching(new RegExp(`^${name}-[0-9a-f]{8}$`));
    expect(readdirSync(out).sort()).toEqual(['INV 2026_17', hashed('INV 2026_17'), 'a_b', hashed('a_b'), hashed('a_b'), hashed('a_b')]);
  });

  it('says "replaced" when a file of that name was there before, never overwriting silently', async () => {
    const jobs = cli.file('again.csv', 'key,To\nR1,Ann\n');
    const out = join(cli.dir, 'again');
    expect((await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--out', out])).stdout).toMatch(/^ {2}wrote .*R1.*Letter\.pdf/m);
    const second = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--out', out]);
    expect(second.stdout).toMatch(/^ {2}replaced .*R1.*Letter\.pdf/m);
  });

  it('fails only the job whose documents cannot be written, with the reason; the others go on and are reported (exit 1)', async () => {
    const jobs = cli.file('blocked.csv', 'key,To\nW1,Ann\nW2,Bob\nW3,Cid\nW4,Dan\n');
    const out = join(cli.dir, 'blocked');
    mkdirSync(out);
    // A file where W2's folder must go: mkdir fails for that job alone.
    writeFileSync(join(out, 'W2'), 'in the way');
    const result = await cli.run(['batch', jobs, '--flow', builtInFlows.short.id, '--out', out, '--concurrency', '2']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Failed +W2 {2}[0-9a-f-]{36} {2}could not save the documents in .*W2: EEXIST/m);
    for (const key of ['W1', 'W3', 'W4']) expect(result.stdout).toMatch(new RegExp(`^Success +${key} `, 'm'));
    expect(result.stderr).toMatch(/4 jobs in [\d.]+ s: 3 succeeded, 1 failed\n/);
    expect(filesUnder(out)).toEqual(['W1/Letter.pdf', 'W2', 'W3/Letter.pdf', 'W4/Letter.pdf']);
  });

  it('refuses an --out under a file before anything is sent (exit 2)', async () => {
    const file = cli.file('plain.txt', 'a file');
    const started = cli.server.simulator.stats.executionsStarted;
    const result = await cli.run(['batch', cli.file('one.csv', 'key,To\nO1,Ann\n'), '--flow', builtInFlows.short.id, '--out', join(file, 'sub')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^smart-flows batch: --out .*plain\.txt\/sub is under a file, not a directory$/m);
    expect(cli.server.simulator.stats.executionsStarted).toBe(started);
  });

  it('after a SIGKILL while writing three large documents, the resumed batch writes what is missing: all whole, exit 0', async () => {
    const size = 12 * 1024 * 1024;
    const contents = ['A', 'B', 'C'].map((c) => new Uint8Array(size).fill(c.charCodeAt(0)));
    const flowId = '5f1a0000-0000-4000-8000-0000000002b1';
    cli.server.simulator.addFlow({
      ...builtInFlows.short,
      id: flowId,
      displayName: 'Three large documents',
      stages: [{ message: 'Render', percentage: 50, durationMs: 50 }],
      documents: contents.map((bytes, i) => ({ displayName: `part-${i + 1}.bin`, contentType: 'application/octet-stream', bytes })),
    });
    const jobs = cli.file('large.csv', 'key,To\nL1,Ann\n');
    const out = join(cli.dir, 'large');
    mkdirSync(out);
    const journal = join(cli.dir, 'large.journal');
    const args = ['batch', jobs, '--flow', flowId, '--out', out, '--journal', journal];
    // Killed as soon as the job's folder appears: the writing has begun, and is not over.
    const folderMade = new Promise<void>((resolve) => {
      const watcher = watch(out, () => {
        watcher.close();
        resolve();
      });
    });
    const first = cli.start(args);
    await folderMade;
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    const resumed = await cli.run(args);
    expect(resumed.code).toBe(0);
    const folder = join(out, 'L1');
    expect(existsSync(folder)).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(['part-1.bin', 'part-2.bin', 'part-3.bin']);
    contents.forEach((bytes, i) => expect(Buffer.compare(readFileSync(join(folder, `part-${i + 1}.bin`)), bytes)).toBe(0));
  });

  it('counts a journaled document as written only where this run writes it, at its size: another --out, a cut file and a record pointing elsewhere are written again', async () => {
    const jobs = cli.file('moved.csv', 'key,To\nM1,Ann\nM2,Bob\nM3,Cid\n');
    const journal = join(cli.dir, 'moved.journal');
    const first = join(cli.dir, 'moved-1');
    const args = (out: string) => ['batch', jobs, '--flow', builtInFlows.short.id, '--journal', journal, '--out', out];
    expect((await cli.run(args(first))).code).toBe(0);
    const whole = readFileSync(join(first, 'M1', 'Letter.pdf'));
    // M2's file cut short; M3's record made to point at a file elsewhere (a hand-edited journal).
    writeFileSync(join(first, 'M2', 'Letter.pdf'), whole.subarray(0, 10));
    const elsewhere = cli.file('elsewhere.pdf', 'not the letter');
    writeFileSync(journal, readFileSync(journal, 'utf8').split(join(first, 'M3', 'Letter.pdf')).join(elsewhere));

    const again = await cli.run(args(first));
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/M1\/Letter\.pdf/);
    for (const key of ['M2', 'M3']) expect(Buffer.compare(readFileSync(join(first, key, 'Letter.pdf')), whole)).toBe(0);
    expect(readFileSync(elsewhere, 'utf8')).toBe('not the letter');

    const second = join(cli.dir, 'moved-2');
    expect((await cli.run(args(second))).code).toBe(0);
    expect(filesUnder(second)).toEqual(['M1/Letter.pdf', 'M2/Letter.pdf', 'M3/Letter.pdf']);
  });

  it('removes the temporary files an earlier, killed run left in a job folder (.smart-flows-*.partial), and no other file', async () => {
    const jobs = cli.file('partial.csv', 'key,To\nP1,Ann\n');
    const journal = join(cli.dir, 'partial.journal');
    const out = join(cli.dir, 'partial');
    const args = ['batch', jobs, '--flow', builtInFlows.short.id, '--journal', journal, '--out', out];
    expect((await cli.run(args)).code).toBe(0);
    // What a SIGKILL during a write leaves (from an earlier run: an hour old), and a file of the user's.
    const left = join(out, 'P1', '.smart-flows-0123456789ab.partial');
    writeFileSync(left, 'half a document');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(left, anHourAgo, anHourAgo);
    writeFileSync(join(out, 'P1', 'notes.txt'), 'mine');
    expect((await cli.run(args)).code).toBe(0);
    expect(filesUnder(out)).toEqual(['P1/Letter.pdf', 'P1/notes.txt']);
  });
});
