import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { SmartFlowsJournalError } from '../batch/journalError';

/** What a lock file holds: who took it, where, and when. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** A lock this process holds (or is taking): its text, and how many journals share it. */
interface Held {
  text: string;
  users: number;
}

/** The locks of this process by the lock file's absolute path (a promise while it is being taken, so two journals on one file in one process share one). */
const locks = new Map<string, Promise<Held>>();
/** The locks taken, for the exit handler (which must be synchronous). */
const taken = new Map<string, Held>();

/** At exit (also `process.exit` after Ctrl-C), this process's lock files are removed: a SIGKILL leaves them stale. */
const releaseAllSync = () => {
  for (const [lockPath, { text }] of taken) {
    try {
      if (readFileSync(lockPath, 'utf8') === text) unlinkSync(lockPath);
    } catch {
      /* gone already */
    }
  }
  taken.clear();
  locks.clear();
};

const parseHolder = (text: string): Holder | undefined => {
  try {
    const value = JSON.parse(text) as Partial<Holder> | null;
    return typeof value?.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' && typeof value.since === 'string'
      ? { pid: value.pid, host: value.host, since: value.since }
      : undefined;
  } catch {
    return undefined;
  }
};

/** True while process `pid` exists on this machine (one of another user's included). */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A lock left by a process that is gone: taken on this host by a pid that no longer runs, or
 * by this process's own pid (reused after a crash: this process takes each lock once, so a
 * lock file with its pid that it is taking now is a leftover). A lock from another host
 * cannot be checked, so it is never stale.
 */
const isStale = (holder: Holder): boolean => holder.host === hostname() && (holder.pid === process.pid || !isRunning(holder.pid));

const inUse = (journalPath: string, lockPath: string, holder: Holder | undefined): SmartFlowsJournalError =>
  new SmartFlowsJournalError(
    holder
      ? `journal ${journalPath} is in use by pid ${holder.pid} on host ${holder.host} since ${holder.since} (one process at a time; if that process is gone, delete ${lockPath})`
      : `journal ${journalPath} is in use: its lock file ${lockPath} is being written or is damaged (one process at a time; if no other process runs, delete it)`,
    undefined,
  );

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Creates the lock file with `text` only if none exists (`O_EXCL`), durably: true if created. */
async function createExclusive(lockPath: string, text: string): Promise<boolean> {
  let file;
  try {
    file = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  return true;
}

/** Creates the lock file, taking a stale one over: the moves of {@link lockJournal}. */
async function take(journalPath: string, lockPath: string): Promise<Held> {
  const shown = `${journalPath}.lock`;
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
  let holder: Holder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(lockPath, text)) return { text, users: 0 };
    const found = await readFile(lockPath, 'utf8').catch((error: unknown) => (missing(error) ? undefined : Promise.reject(error)));
    if (found === undefined) continue; // let go of meanwhile: try again
    holder = parseHolder(found);
    if (!holder || !isStale(holder)) throw inUse(journalPath, shown, holder);
    const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if (missing(error)) continue;
      throw error;
    }
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== found) {
      // Another process took the stale lock over first, and this rename moved its live lock: put it back.
      await rename(aside, lockPath).catch(() => undefined);
      throw inUse(journalPath, shown, moved === undefined ? undefined : parseHolder(moved));
    }
    await unlink(aside).catch(() => undefined);
  }
  throw inUse(journalPath, shown, holder);
}

/**
 * Takes the lock of the journal at `journalPath`: the file `<journal>.lock`, created with
 * `O_EXCL` and holding pid, host and start time; or joins it when this process holds it
 * already (journals on one file in one process share it). A stale lock (its process gone) is
 * taken over: moved aside (a rename, which only one process can do to that file), checked to be
 * the stale one, then a new lock created exclusively; a live lock moved aside by a race is put
 * back. The lock file is removed by the last release, or at the process's exit.
 * @returns the function that lets go of it (once; later calls do nothing)
 * @throws SmartFlowsJournalError naming the process that holds it
 */
export async function lockJournal(journalPath: string): Promise<() => Promise<void>> {
  const lockPath = `${resolve(journalPath)}.lock`;
  let taking = locks.get(lockPath);
  if (!taking) {
    taking = take(journalPath, lockPath).then((lock) => {
      if (taken.size === 0) process.once('exit', releaseAllSync);
      taken.set(lockPath, lock);
      return lock;
    });
    locks.set(lockPath, taking);
    // A failed take leaves nothing behind: the next call tries again.
    taking.catch(() => locks.get(lockPath) === taking && locks.delete(lockPath));
  }
  const lock = await taking;
  lock.users++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--lock.users > 0 || taken.get(lockPath) !== lock) return;
    taken.delete(lockPath);
    locks.delete(lockPath);
    if (taken.size === 0) process.removeListener('exit', releaseAllSync);
    const now = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (now === lock.text) await unlink(lockPath).catch(() => undefined);
  };
}
