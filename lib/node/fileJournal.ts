import { open, readFile, truncate } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isSmartFlowsJournalError, SmartFlowsJournalError } from '../batch/journalError';
import { checkJournal } from '../batch/checkJournal';
import { JOURNAL_STORE } from '../batch/journalInUse';
import type { BatchJournal, JournalContents, JournalRecord } from '../batch/journalTypes';
import { lockJournal } from './journalLock';

/** Options of {@link fileJournal}. */
export interface FileJournalOptions {
  /**
   * Take the journal's lock (the file `<path>.lock`) at the first read or append, so that a
   * second process on the same journal fails instead of starting jobs twice. Turn it off only
   * when something else makes sure one process at a time uses the file.
   * @default true
   */
  lock?: boolean;
}

/** A {@link BatchJournal} in a file, as {@link fileJournal} makes it. */
export interface FileJournal extends BatchJournal {
  /** The file, as given. */
  readonly path: string;
  /** Every record (checked), once the lock is taken; a torn last line is cut off and reported. */
  read(): Promise<JournalContents>;
  /** Appends one record; resolves once it is on disk. */
  append(record: JournalRecord): Promise<void>;
  /** Resolves once every record appended so far is on disk (or failed), whether or not its caller still waits. */
  flushed(): Promise<void>;
  /** Lets go of the lock once the appends so far are done; a later read or append takes it again. */
  release(): Promise<void>;
}

/**
 * A batch journal in a JSON-lines file: one record a line, each appended and fsynced before
 * `append` resolves (the file's folder is fsynced too when the file is created, so the file
 * itself survives a power cut). Reading tolerates a last line cut short by a crash: it is
 * reported as `tornLine` and cut off the file, so the next append starts on a clean line. Every
 * other line must be a valid record, and the records must fit together (the journal's rules):
 * else the read fails with `SmartFlowsJournalError` naming the file and the line.
 *
 * One process at a time: the first read or append takes an exclusive lock, the file
 * `<path>.lock` next to the journal's real file (symlinks resolved, so every name of the file
 * takes one lock; a journal with hard links is refused), created whole and exclusively (`link`),
 * holding the process's pid, host, time and, on Linux, the process's own start. While
 * another live process holds it, reads and appends fail with `SmartFlowsJournalError`
 * ("journal X is in use by pid N on host H since T"). The lock is let go of when a `runBatch`
 * on this journal ends (completed, errored or unsubscribed: it calls `release()`, which waits for
 * the appends so far), by `release()`, or when the process exits (`process.exit` included), so
 * a long-lived process that runs many batches holds no lock between them; a process killed outright (SIGKILL, a
 * crash) leaves it behind, and the next process on the same host takes it over, since its pid
 * no longer runs (or, on Linux, runs another process: the start differs); the takeover is
 * race-free, one process at a time through a guard file `<path>.lock.takeover`. A file system
 * that refuses (read-only, full, not allowed) fails the read with `SmartFlowsJournalError`
 * "cannot write the journal X: …". A lock from another host is never taken over: delete it by
 * hand once that process is surely gone. Journals on one file in one process share the lock, but
 * one batch at a time uses the file: while a `runBatch` of this process runs on one of them, a
 * `runBatch` on another fails at once with `SmartFlowsJournalError` ("in use by another batch in
 * this process").
 * @param path - the file; created on the first append (its folder must exist)
 * @param options - see {@link FileJournalOptions}
 * @example
 * import { fileJournal } from 'smart-flows-rx/node';
 * client.runBatch(jobs, { journal: fileJournal('invoices-2026-12.jsonl') }).subscribe(...);
 * // after a crash, the same call resumes the batch: nothing is started twice
 */
export function fileJournal(path: string, options: FileJournalOptions = {}): FileJournal {
  const locking = options.lock ?? true;
  // Reads and appends run one after another, in call order, whatever their callers await.
  let queue: Promise<void> = Promise.resolve();
  let created = false;
  // Set while this journal holds the lock: lets go of it.
  let unlock: (() => Promise<void>) | undefined;
  const locked = async () => {
    if (locking && !unlock) unlock = await lockJournal(path).catch(ioError(path, 'write'));
  };
  const appendLine = async (line: string) => {
    await locked();
    const file = await open(path, 'a');
    try {
      const fresh = (await file.stat()).size === 0 && !created;
      await file.appendFile(line, 'utf8');
      await file.sync();
      if (fresh) {
        created = true;
        await syncFolder(dirname(path));
      }
    } finally {
      await file.close();
    }
  };
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work);
    queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  };
  const journal: FileJournal = {
    path,
    read: () =>
      enqueue(async () => {
        await locked();
        const contents = await readLines(path).catch(ioError(path, 'read'));
        checkJournal(contents, path);
        return contents;
      }),
    append: (record: JournalRecord) => {
      const line = `${JSON.stringify(record)}\n`;
      return enqueue(() => appendLine(line));
    },
    flushed: () => queue,
    release: () =>
      enqueue(async () => {
        const letGo = unlock;
        unlock = undefined;
        await letGo?.();
      }),
  };
  // Journals on one file are one journal: one batch at a time across them (see runBatch).
  return Object.defineProperty(journal, JOURNAL_STORE, { value: resolve(path) });
}

async function syncFolder(folder: string): Promise<void> {
  // Not every platform lets a folder be opened for fsync (Windows does not); the file's own sync stands then.
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * An I/O error of the file system (read-only, full, not allowed…) as the journal's own error,
 * saying what could not be done with which journal (not "not a journal"). Errors that are
 * already the journal's pass as they are.
 */
const ioError =
  (path: string, what: 'read' | 'write') =>
  (error: unknown): never => {
    if (isSmartFlowsJournalError(error) || typeof (error as { code?: unknown } | null)?.code !== 'string') throw error;
    const code = (error as NodeJS.ErrnoException).code!;
    // Reading may write too (a torn line is cut off): what failed is told by the error's code.
    const writing = what === 'write' || WRITE_ERRORS.has(code);
    throw new SmartFlowsJournalError(`cannot ${writing ? 'write' : 'read'} the journal ${path}: ${(error as Error).message}`, error);
  };
const WRITE_ERRORS = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EFBIG']);

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function readLines(path: string): Promise<JournalContents> {
  // Bytes, not text: a torn last line is cut at its own first byte, whatever earlier lines hold
  // (decoding would turn each byte that is not UTF-8 into three, and move the cut).
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
    throw error;
  }
  // A byte order mark (a text editor saved the file) is skipped, and stays in the file.
  const first = data.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0;
  const records: JournalRecord[] = [];
  const numbers: number[] = [];
  let start = first;
  let lineNumber = 0;
  for (let end = data.indexOf(NEWLINE, start); end !== -1; start = end + 1, end = data.indexOf(NEWLINE, start)) {
    lineNumber++;
    const line = data.toString('utf8', start, end);
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (!record) throw new SmartFlowsJournalError(`${path} is not a batch journal: line ${lineNumber} is not a journal record`, undefined, { line: lineNumber });
    records.push(record);
    numbers.push(lineNumber);
  }
  const tail = data.toString('utf8', start);
  if (tail.trim() === '') return { records, lines: numbers };
  // The last line has no newline: the write that made it was cut short (or only its newline was).
  const whole = parseRecord(tail);
  if (whole) {
    const file = await open(path, 'a');
    try {
      await file.appendFile('\n', 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    return { records: [...records, whole], lines: [...numbers, lineNumber + 1] };
  }
  await truncate(path, start);
  return { records, tornLine: tail, lines: numbers };
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as JournalRecord) : undefined;
  } catch {
    return undefined;
  }
}
