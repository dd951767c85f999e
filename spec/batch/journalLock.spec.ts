import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { fileJournal } from '../../lib/node/fileJournal';
import { isSmartFlowsJournalError } from '../../lib/batch/appendRecord';
import type { JournalRecord } from '../../lib/batch/journalTypes';
import { FLOW_ID, testClient, useMswServer } from '../helpers/msw';

const { requests } = useMswServer();

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sfrx-lock-')), 'batch.jsonl');
const plan: JournalRecord = { type: 'planned', v: 1, at: '2026-12-01T00:00:00.000Z', jobs: [{ key: 'a', flowId: 'f', inputHash: 'h' }] };
const lockOf = (path: string) => JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as { pid: number; host: string; since: string };

/** What the lock records of a process's start on Linux (`<boot id>:<field 22 of /proc/<pid>/stat>`); undefined elsewhere. */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}
const onLinux = existsSync('/proc/self/stat') ? it : it.skip;

/** A pid that surely ran on this host and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('fileJournal: one process at a time (the lock file <journal>.lock)', () => {
  it('is taken at the first read, holds pid, host and start time, and goes with release()', async () => {
    const path = fresh();
    const journal = fileJournal(path);
    await journal.read();
    expect(lockOf(path)).toEqual({ pid: process.pid, host: hostname(), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), ...(startOf(process.pid) ? { start: startOf(process.pid) } : {}) });
    await journal.append(plan);
    await journal.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    // Taken again by the next use.
    await journal.read();
    expect(lockOf(path).pid).toBe(process.pid);
    await journal.release();
  });

  it("refuses a live process's lock on this host, and any lock from another host: SmartFlowsJournalError naming it, nothing written", async () => {
    for (const holder of [
      { pid: process.ppid, host: hostname(), since: '2026-12-01T08:00:00.000Z' },
      { pid: await deadPid(), host: 'build-agent-7', since: '2026-12-01T08:00:00.000Z' },
    ]) {
      const path = fresh();
      writeFileSync(`${path}.lock`, JSON.stringify(holder));
      const journal = fileJournal(path);
      const message = `journal ${path} is in use by pid ${holder.pid} on host ${holder.host} since ${holder.since}`;
      await expect(journal.read()).rejects.toThrow(message);
      await expect(journal.append(plan)).rejects.toThrow(message);
      await journal.read().catch((error: unknown) => expect(isSmartFlowsJournalError(error)).toBe(true));
      expect(existsSync(path)).toBe(false);
      expect(lockOf(path)).toEqual(holder);
    }
  });

  it('refuses a lock file it cannot read (being written, or damaged), saying what to do', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, '');
    await expect(fileJournal(path).read()).rejects.toThrow(`journal ${path} is in use: its lock file ${path}.lock is being written or is damaged`);
  });

  it('takes over the stale lock of a process that is gone (same host)', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: await deadPid(), host: hostname(), since: '2026-12-01T08:00:00.000Z' }));
    const journal = fileJournal(path);
    await journal.append(plan);
    expect(lockOf(path).pid).toBe(process.pid);
    // Nothing left aside: the stale lock was removed, not kept under another name.
    expect(readdirSync(join(path, '..')).sort()).toEqual(['batch.jsonl', 'batch.jsonl.lock']);
    await journal.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('is shared by journals on one file in one process, and goes with the last release; lock: false takes none', async () => {
    const path = fresh();
    const [one, two] = [fileJournal(path), fileJournal(path)];
    await Promise.all([one.read(), two.read()]);
    await one.release();
    expect(lockOf(path).pid).toBe(process.pid);
    await two.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    const unlocked = fileJournal(path, { lock: false });
    await unlocked.append(plan);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('runBatch on a journal another process holds: SmartFlowsJournalError before any request', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-01T08:00:00.000Z' }));
    const run = lastValueFrom(testClient().runBatch([{ flowId: FLOW_ID, input: '<a/>', key: 'a' }], { journal: fileJournal(path) }));
    await expect(run).rejects.toMatchObject({ name: 'SmartFlowsJournalError', message: expect.stringContaining(`is in use by pid ${process.ppid}`) });
    expect(requests).toHaveLength(0);
  });

  it('locks the file, not the name: a symlink to the journal (existing or not yet created) takes the real file\'s lock', async () => {
    const path = fresh();
    const live = JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-01T08:00:00.000Z' });
    writeFileSync(`${path}.lock`, live);
    // The journal does not exist yet: a dangling symlink to it, and a path through `..`.
    const link = join(path, '..', 'current.jsonl');
    symlinkSync(path, link);
    const message = `is in use by pid ${process.ppid}`;
    await expect(fileJournal(link).read()).rejects.toThrow(message);
    // A path that goes up and down again, spelled with its `..` (path.join would take it out).
    // (It was found by listing the temporary folder for a name inside the path: any other entry
    // there whose name was a piece of the path, another program's, made the test fail.)
    await expect(fileJournal(`${dirname(path)}/../${basename(dirname(path))}/batch.jsonl`).read()).rejects.toThrow(message);
    // It exists.
    writeFileSync(path, `${JSON.stringify(plan)}\n`);
    await expect(fileJournal(link).append(plan)).rejects.toThrow(message);
    expect(existsSync(`${link}.lock`)).toBe(false);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(live);
  });

  it('refuses a journal with hard links (another name would take another lock), before writing anything', async () => {
    const path = fresh();
    writeFileSync(path, `${JSON.stringify(plan)}\n`);
    const other = join(path, '..', 'copy.jsonl');
    linkSync(path, other);
    for (const name of [path, other]) await expect(fileJournal(name).read()).rejects.toThrow(`journal ${name} has 2 names (hard links)`);
    expect(readdirSync(join(path, '..')).sort()).toEqual(['batch.jsonl', 'copy.jsonl']);
  });

  onLinux('a live pid that is not the holder (its start differs: the pid was reused) is stale; the holder itself is not', async () => {
    const path = fresh();
    const reused = { pid: process.ppid, host: hostname(), since: '2026-12-01T08:00:00.000Z', start: `${startOf(process.ppid)!}0` };
    writeFileSync(`${path}.lock`, JSON.stringify(reused));
    const journal = fileJournal(path);
    await journal.read();
    expect(lockOf(path).pid).toBe(process.pid);
    await journal.release();
    // The same pid with its own start: in use.
    writeFileSync(`${path}.lock`, JSON.stringify({ ...reused, start: startOf(process.ppid) }));
    await expect(fileJournal(path).read()).rejects.toThrow(`is in use by pid ${process.ppid}`);
  });

  it('a takeover cut short (its guard left by a process killed in the middle) is finished by the next process: the guard broken, the lock taken, nothing left over', async () => {
    // Before: refused for good ("the takeover of pid N was cut short: delete …"), so a batch
    // killed during a takeover (the crash soak does that) could not resume by itself.
    const path = fresh();
    const stale = JSON.stringify({ pid: await deadPid(), host: hostname(), since: '2026-12-01T08:00:00.000Z' });
    writeFileSync(`${path}.lock`, stale);
    writeFileSync(`${path}.lock.takeover`, stale);
    const journal = fileJournal(path);
    await journal.read();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await journal.release();
    expect(readdirSync(dirname(path)).filter((f) => f.startsWith(`${basename(path)}.lock`))).toEqual([]);
  });

  it('a live taker is named as the holder; a guard whose breaking was itself cut short is refused, naming both files to delete', async () => {
    const path = fresh();
    const stale = JSON.stringify({ pid: await deadPid(), host: hostname(), since: '2026-12-01T08:00:00.000Z' });
    writeFileSync(`${path}.lock`, stale);
    writeFileSync(`${path}.lock.takeover`, JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-01T09:00:00.000Z' }));
    await expect(fileJournal(path).read()).rejects.toThrow(`is in use by pid ${process.ppid}`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(stale);
    // The guard of a gone taker, and the marker of a process that died breaking it.
    writeFileSync(`${path}.lock.takeover`, stale);
    writeFileSync(`${path}.lock.takeover.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`, stale);
    await expect(fileJournal(path).read()).rejects.toThrow(`the takeover of pid ${JSON.parse(stale).pid as number} was cut short: delete ${path}.lock.takeover and ${path}.lock`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(stale);
  });
});

