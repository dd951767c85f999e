import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, open, readFile, readlink, realpath, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { SmartFlowsJournalError } from '../batch/journalError';

/** What a lock file holds: who took it, where, when, and (where the system tells) the process's own start. */
interface Holder {
  pid: number;
  host: string;
  since: string;
  /** `<boot id>:<start in clock ticks since boot>` (Linux `/proc`), which tells a reused pid from the holder. */
  start?: string;
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
    if (!(typeof value?.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' && typeof value.since === 'string')) return undefined;
    return { pid: value.pid, host: value.host, since: value.since, ...(typeof value.start === 'string' ? { start: value.start } : {}) };
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

let bootId: string | null | undefined;
/** This boot's id (Linux), read once; null where the system does not tell. */
const currentBoot = (): string | null => {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId;
};

/**
 * What `/proc/<pid>/stat` says of a process (Linux): its start (boot id and clock ticks since
 * boot, field 22) and whether it is a zombie (killed, not yet reaped: gone for a lock's sake).
 * `undefined` where it cannot be read (another system, or the pid runs no process).
 */
const procStat = (pid: number): { start: string; zombie: boolean } | undefined => {
  const boot = currentBoot();
  if (boot === null) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ")": the fields after the last ")" start with field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks && /^\d+$/.test(ticks) ? { start: `${boot}:${ticks}`, zombie: fields[0] === 'Z' } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A lock left by a process that is gone: taken on this host by a pid that no longer runs (or
 * is a zombie), or that now runs another process (its recorded start differs: the pid was
 * reused), or by this process's own pid (reused after a crash: this process takes each lock
 * once, so a lock file with its pid that it is taking now is a leftover). Where the start
 * cannot be read (not Linux, or a lock written without it), a running pid holds the lock. A
 * lock from another host cannot be checked, so it is never stale.
 */
const isStale = (holder: Holder): boolean => {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return true;
  const stat = procStat(holder.pid);
  if (stat) return stat.zombie || (holder.start !== undefined && holder.start !== stat.start);
  if (holder.start !== undefined && currentBoot() !== null && !holder.start.startsWith(`${currentBoot()}:`)) return true; // taken before the last reboot
  return !isRunning(holder.pid);
};

const inUse = (journalPath: string, lockPath: string, holder: Holder | undefined): SmartFlowsJournalError =>
  new SmartFlowsJournalError(
    holder
      ? `journal ${journalPath} is in use by pid ${holder.pid} on host ${holder.host} since ${holder.since} (one process at a time; if that process is gone, delete ${lockPath})`
      : `journal ${journalPath} is in use: its lock file ${lockPath} is being written or is damaged (one process at a time; if no other process runs, delete it)`,
    undefined,
  );

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The journal's real name, which names its lock: symlinks and `..` resolved (`realpath`), so
 * every name of one file takes one lock. A journal not created yet: its folder's real path and
 * its name (a dangling symlink is followed to where the file will be).
 */
async function realJournalPath(journalPath: string): Promise<string> {
  let path = resolve(journalPath);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return await realpath(path);
    } catch (error) {
      if (!missing(error)) throw error;
    }
    const target = await readlink(path).catch(() => undefined);
    if (target === undefined) {
      const folder = await realpath(dirname(path)).catch((error: unknown) => (missing(error) ? undefined : Promise.reject(error)));
      return folder === undefined ? path : join(folder, basename(path));
    }
    path = resolve(dirname(path), target);
  }
  return path;
}

/**
 * Creates `path` holding `text` only if nothing is there, whole or not at all: the text is
 * written and fsynced under a name of its own, then `link`ed to `path` (which fails if `path`
 * exists, like `O_EXCL`, and never shows a half-written file). Where the file system has no
 * hard links, `open(path, 'wx')` does it. True if created.
 */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temp, 'wx');
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    return createExclusiveOpen(path, text);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function createExclusiveOpen(path: string, text: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx');
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

const readIfThere = (path: string) => readFile(path, 'utf8').catch((error: unknown) => (missing(error) ? undefined : Promise.reject(error)));

/**
 * Creates the lock file, taking a stale one over: the moves of {@link lockJournal}. Only a
 * process holding the takeover guard `<lock>.takeover` (itself created exclusively) removes a
 * lock, and only after reading it again under the guard and finding the text it judged stale:
 * no other process can change a stale lock meanwhile (its holder is gone, other takers wait on
 * the guard, and a new lock cannot be created over it), so a live lock is never removed.
 */
async function take(journalPath: string, lockPath: string): Promise<Held> {
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(procStat(process.pid) ? { start: procStat(process.pid)!.start } : {}) })}\n`;
  const guard = `${lockPath}.takeover`;
  let holder: Holder | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (await createExclusive(lockPath, text)) return { text, users: 0 };
    const found = await readIfThere(lockPath);
    if (found === undefined) continue; // let go of meanwhile: try again
    holder = parseHolder(found);
    if (!holder || !isStale(holder)) throw inUse(journalPath, lockPath, holder);
    if (!(await createExclusive(guard, text))) {
      // Another process is taking the stale lock over: it holds the journal in a moment.
      const taker = await readIfThere(guard);
      if (taker === undefined) continue;
      const takerHolder = parseHolder(taker);
      if (!takerHolder || !isStale(takerHolder)) throw inUse(journalPath, lockPath, takerHolder);
      // A takeover cut short (its process killed in the middle): break its guard, then try again.
      if (await breakGuard(guard, taker)) continue;
      throw new SmartFlowsJournalError(
        `journal ${journalPath} is locked by a stale lock, and the takeover of pid ${takerHolder.pid} was cut short: delete ${guard} and ${lockPath} if no other process uses the journal`,
        undefined,
      );
    }
    try {
      if ((await readIfThere(lockPath)) === found) {
        await unlink(lockPath);
        if (await createExclusive(lockPath, text)) return { text, users: 0 };
      }
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }
  throw inUse(journalPath, lockPath, holder);
}

/**
 * Removes the guard of a takeover whose process is gone, race-free: only the process that
 * creates `<guard>.<hash of its text>` exclusively may remove it, after reading it again and
 * finding that text. No one else removes that guard meanwhile (its owner is gone, and a guard is
 * only ever removed by its owner or here), and every guard's text is new (pid, time), so a guard
 * made after it is never taken for it. The marker is removed after; a process that read the old
 * text late then finds another text, or none, and leaves it.
 * @returns false when another process is breaking it (or died doing so): the caller tries again
 */
async function breakGuard(guard: string, staleText: string): Promise<boolean> {
  const marker = `${guard}.${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
  if (!(await createExclusive(marker, staleText))) return false;
  try {
    if ((await readIfThere(guard)) === staleText) await unlink(guard).catch(() => undefined);
  } finally {
    await unlink(marker).catch(() => undefined);
  }
  return true;
}

/** Refuses a journal with several names (hard links): another name's realpath would take another lock. */
async function refuseHardLinks(journalPath: string, realPath: string): Promise<void> {
  const stat = await lstat(realPath).catch((error: unknown) => (missing(error) ? undefined : Promise.reject(error)));
  if (stat && stat.nlink > 1)
    throw new SmartFlowsJournalError(
      `journal ${journalPath} has ${stat.nlink} names (hard links): a process using another name would take another lock, so one process at a time cannot be made sure of; keep one name (remove the other links, or use a copy)`,
      undefined,
    );
}

/**
 * Takes the lock of the journal at `journalPath`: the file `<real path of the journal>.lock`
 * (symlinks resolved, so every name of the journal takes one lock), created exclusively and
 * holding pid, host, time and the process's start; or joins it when this process holds it
 * already (journals on one file in one process share it). A journal with hard links is refused
 * (checked when the lock is taken). A stale lock (its process gone, or its pid now another
 * process's) is taken over under a guard file, race-free. The lock file is removed by the last
 * release, or at the process's exit.
 * @returns the function that lets go of it (once; later calls do nothing)
 * @throws SmartFlowsJournalError naming the process that holds it
 */
export async function lockJournal(journalPath: string): Promise<() => Promise<void>> {
  const realPath = await realJournalPath(journalPath);
  const lockPath = `${realPath}.lock`;
  let taking = locks.get(lockPath);
  if (!taking) {
    taking = refuseHardLinks(journalPath, realPath)
      .then(() => take(journalPath, lockPath))
      .then((lock) => {
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
