import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { catchError, concatMap, defer, from, identity, map, type Observable, of, throwError, timeout, toArray } from 'rxjs';
import { downloadable } from '../../documents/downloadable';
import { type BatchItem, findDocuments } from '../../index';
import type { Connection } from '../connect';
import type { CliJournal, SavedDocument } from '../openJournal';
import { removeLeftovers } from '../saveFile';
import { documentNames, writeDocument } from '../writeDocuments';
import { fromJournal } from './batchState';
import type { EndedJob } from './batchView';

/** Where a batch's documents go, and what was saved before. */
export interface JobDocumentsSettings {
  connection: Connection;
  /** `--out`; nothing is downloaded without it. */
  out: string | undefined;
  /** The folder name of a job's key ({@link jobFolders}). */
  folderOf: (key: string) => string;
  /** With `--journal`: each saved document is journaled, and a resumed batch saves only what is missing. */
  journal: CliJournal | undefined;
  /** `--timeout`: the longest wait for each document's whole answer (0: none), so a trickling server cannot hold the batch. */
  timeoutMs: number;
}

/** Writing a job's documents failed: the job fails with this reason, the batch goes on. */
export class DocumentWriteError extends Error {
  override name = 'DocumentWriteError';
}

/** Downloading one of a job's documents failed (a 404, a network error, an answer past the size limit): the job fails with this reason, the batch goes on. */
export class DocumentDownloadError extends Error {
  override name = 'DocumentDownloadError';
}

const messageOf = (error: unknown) => (error as Error)?.message ?? String(error);

/** A document of a job, as the job's outcome or its progress names it. */
interface DocumentRef {
  id: string;
}

/**
 * The documents of a succeeded job: from the journal's outcome for a job that ended before, else
 * from its model and state; a reference no request can name is skipped, as `downloadAll` does.
 */
const refsOf = (item: BatchItem): DocumentRef[] => downloadable(fromJournal(item) ? (item.outcome?.documents ?? []) : findDocuments([item.progress?.model, item.execution?.state]));

/**
 * Whether a document a journaled `written` record names counts as saved: its file is in the job's
 * folder of this run's `--out` and still has the size it was saved with. A record pointing
 * elsewhere (another `--out`, a hand-edited line) or a file cut or changed since: written again.
 */
const intact = (dir: string, saved: SavedDocument) =>
  resolve(dirname(saved.file)) === resolve(dir) ? stat(saved.file).then((s) => s.isFile() && s.size === saved.bytes, () => false) : Promise.resolve(false);

/**
 * Saves an ended job's documents into `<out>/<folder of its key>/` (nothing without `--out`,
 * nothing for a job that did not succeed): each one downloaded, saved whole (temporary name,
 * fsync, rename) and then journaled, so a resumed batch writes exactly the documents that are
 * missing. A failure to download or write fails this job (a {@link DocumentDownloadError} or
 * {@link DocumentWriteError} naming the document or folder and the reason) and no other. Emits the job with the documents written.
 */
export function jobDocuments(settings: JobDocumentsSettings, item: BatchItem): Observable<EndedJob> {
  const { connection, out, journal } = settings;
  if (!out || item.state !== 'succeeded') return of({ item, written: [] });
  const dir = join(out, settings.folderOf(item.key));
  const saved = journal?.documentsWritten(item.key) ?? new Map<string, SavedDocument>();
  return defer(async () => {
    const refs: DocumentRef[] = [];
    // The names of this job's documents saved before, which stay theirs.
    const kept: string[] = [];
    for (const ref of refsOf(item)) {
      const record = saved.get(ref.id);
      if (record !== undefined && (await intact(dir, record))) kept.push(basename(record.file));
      else refs.push(ref);
    }
    // What a run killed while writing here left behind: never delivered with the documents.
    await removeLeftovers(dir);
    if (refs.length > 0) await mkdir(dir, { recursive: true });
    return { refs, kept };
  }).pipe(
    concatMap(({ refs, kept }) => {
      const nameOf = documentNames(kept, (text) => connection.client.redactText(text));
      return from(refs).pipe(
        concatMap((ref) =>
          defer(() => connection.client.downloadDocument(ref.id)).pipe(
            settings.timeoutMs > 0 ? timeout({ first: settings.timeoutMs, with: () => throwError(() => new Error(`no whole answer within ${settings.timeoutMs} ms (--timeout)`)) }) : identity,
            catchError((error: unknown) => throwError(() => new DocumentDownloadError(`could not download the document ${ref.id}: ${messageOf(error)}`, { cause: error }))),
          ),
        ),
        concatMap(async (doc) => {
          const written = await writeDocument(dir, nameOf(doc), doc);
          await journal?.recordWritten({ key: item.key, documentId: doc.documentId, file: written.path, bytes: written.bytes });
          return written;
        }),
      );
    }),
    toArray(),
    map((written) => ({ item, written })),
    catchError((error: unknown) =>
      of({ item, written: [], failure: error instanceof DocumentDownloadError ? error : new DocumentWriteError(`could not save the documents in ${dir}: ${messageOf(error)}`, { cause: error }) }),
    ),
  );
}
