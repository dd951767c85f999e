import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BatchJournal } from '../index';
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
   * document id → file path. Empty before the journal was read, and for a job with none.
   */
  documentsWritten(key: string): ReadonlyMap<string, string>;
  /**
   * Appends a `written` record (durable once the promise resolves), after the caller wrote the
   * document to a temporary name, fsynced it and renamed it to `file`.
   */
  recordWritten(record: { key: string; documentId: string; file: string; bytes: number }): Promise<void>;
}

/** The file could not be read as a journal (not JSON lines, a record in the middle cut short…): bad input, exit 2. */
export class UnreadableJournal extends Error {
  override name = 'UnreadableJournal';
}

/**
 * Opens `--journal <file>`: a new file is created by the batch's first record, an existing one
 * is resumed. Its folder must exist (checked here, before anything is sent).
 */
export async function openJournal(path: string | boolean | undefined): Promise<CliJournal | undefined> {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') throw new UsageError('--journal needs a file name');
  const found = await stat(path).catch(() => undefined);
  if (found && !found.isFile()) throw new UsageError(`--journal ${path} is not a file`);
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--journal ${path}: the folder ${dirname(path)} does not exist`);

  const file = fileJournal(path);
  const pending = new Set<Promise<void>>();
  let read = false;
  // Job key → document id → file, from the `written` records read back.
  const written = new Map<string, Map<string, string>>();
  const none: ReadonlyMap<string, string> = new Map();
  const journal: BatchJournal = {
    read: async () => {
      try {
        const contents = await file.read();
        for (const record of contents.records) {
          if (record.type !== 'written') continue;
          const files = written.get(record.key) ?? new Map<string, string>();
          files.set(record.documentId, record.file);
          written.set(record.key, files);
        }
        return contents;
      } catch (error) {
        throw new UnreadableJournal(`${path} is not a batch journal: ${(error as Error).message}`, { cause: error });
      } finally {
        read = true;
      }
    },
    append: (record) => {
      const done = Promise.resolve(file.append(record));
      // Kept until durable, whether or not the batch still waits for it (it does not after Ctrl-C).
      const settled = done.catch(() => undefined);
      pending.add(settled);
      void settled.then(() => pending.delete(settled));
      return done;
    },
  };
  return {
    path,
    journal,
    get read() {
      return read;
    },
    flushed: async () => {
      await Promise.all([...pending]);
    },
    documentsWritten: (key) => written.get(key) ?? none,
    recordWritten: async ({ key, documentId, file: saved, bytes }) => {
      await journal.append({ type: 'written', at: new Date().toISOString(), key, documentId, file: saved, bytes });
      const files = written.get(key) ?? new Map<string, string>();
      files.set(documentId, saved);
      written.set(key, files);
    },
  };
}
