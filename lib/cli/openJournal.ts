import { readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type BatchJournal, isSmartFlowsJournalError } from '../index';
import { fileJournal } from '../node/fileJournal';
import { UsageError } from './UsageError';

/** The journal of `batch --journal <file>`, as the command uses it. */
export interface CliJournal {
  /** The file, as given. */
  path: string;
  /** The journal `runBatch` writes (the library's `fileJournal`, watched by the command). */
  journal: BatchJournal;
  /** True once the journal was read: an input error after that is the journal not matching the jobs. */
  readonly read: boolean;
  /** Resolves once every record appended so far is on disk (before the command exits on Ctrl-C). */
  flushed(): Promise<void>;
  /**
   * The documents of job `key` an earlier run saved, from the journal's `written` records:
   * document id → the file and its size. Empty before the journal was read, and for a job with none.
   */
  documentsWritten(key: string): ReadonlyMap<string, SavedDocument>;
  /**
   * Appends a `written` record (durable once the promise resolves), after the caller wrote the
   * document to a temporary name, fsynced it and renamed it to `file`.
   */
  recordWritten(record: { key: string; documentId: string; file: string; bytes: number }): Promise<void>;
}

/** A document a `written` record names: where it was saved, and its size then. */
export interface SavedDocument {
  file: string;
  bytes: number;
}

/**
 * The journal could not be used, before anything was sent (exit 2): the file is not a journal, a
 * record is not valid (the message names the line), or another process holds its lock.
 */
export class UnreadableJournal extends Error {
  override name = 'UnreadableJournal';
}

/**
 * Opens `--journal <file>`: a new file is created by the batch's first record, an existing one
 * is resumed. Its folder must exist (checked here, before anything is sent). A thin adapter over
 * the library's `fileJournal`, whose rules it keeps (the lock, the checks of every record): it
 * adds what the command needs to say, and the `written` records of `--out`.
 */
export async function openJournal(path: string | boolean | undefined): Promise<CliJournal | undefined> {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') throw new UsageError('--journal needs a file name');
  const found = await stat(path).catch(() => undefined);
  if (found && !found.isFile()) throw new UsageError(`--journal ${path} is not a file`);
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--journal ${path}: the folder ${dirname(path)} does not exist`);

  // The lock is keyed on the file's name: every name of one file (a symbolic link, `..`) must
  // give the same lock, so the journal is opened by its real path.
  const real = await realFile(path);
  const file = fileJournal(real);
  // The library's messages name the real file; the user knows it by the name given.
  // (Not in the lock's own name, `<real>.lock`, which is the file to delete.)
  const shown = real === resolve(path) ? path : `${path} (the file ${real})`;
  const named = (message: string) => message.split(`${real}.lock`).map((part) => part.split(real).join(shown)).join(`${real}.lock`);
  let read = false;
  // Job key → document id → file, from the `written` records read back and appended.
  const written = new Map<string, Map<string, SavedDocument>>();
  const none: ReadonlyMap<string, SavedDocument> = new Map();
  const remember = (key: string, documentId: string, saved: SavedDocument) => {
    const files = written.get(key) ?? new Map<string, SavedDocument>();
    files.set(documentId, saved);
    written.set(key, files);
  };
  const journal: BatchJournal = {
    read: async () => {
      try {
        const contents = await file.read();
        for (const record of contents.records) if (record.type === 'written') remember(record.key, record.documentId, { file: record.file, bytes: record.bytes });
        return contents;
      } catch (error) {
        // The library's own errors name the file and what is wrong (the line, the lock's holder).
        const message = named(isSmartFlowsJournalError(error) ? error.message : `${path} is not a batch journal: ${(error as Error).message}`);
        throw new UnreadableJournal(message, { cause: error });
      } finally {
        read = true;
      }
    },
    append: (record) => file.append(record),
  };
  return {
    path,
    journal,
    get read() {
      return read;
    },
    flushed: () => file.flushed(),
    documentsWritten: (key) => written.get(key) ?? none,
    recordWritten: async ({ key, documentId, file: saved, bytes }) => {
      await file.append({ type: 'written', at: new Date().toISOString(), key, documentId, file: saved, bytes });
      remember(key, documentId, { file: saved, bytes });
    },
  };
}

/**
 * The path of the file `path` names, links resolved (its folder's, for a file not made yet; a
 * link to a file not made yet: the link's target). Hard links are not seen: two names, two locks.
 */
async function realFile(path: string, links = 0): Promise<string> {
  const found = await realpath(path).catch(() => undefined);
  if (found !== undefined) return found;
  // A link to a link… as many as the system follows (Linux: 40); a loop is refused.
  const target = await readlink(path).catch(() => undefined);
  if (target !== undefined) {
    if (links >= 40) throw new UsageError(`--journal ${path}: too many symbolic links`);
    return realFile(resolve(dirname(path), target), links + 1);
  }
  return join(await realpath(dirname(path)), basename(path));
}
