import { mkdir, stat } from 'node:fs/promises';
import type { DownloadedDocument } from '../index';
import { saveFile } from './saveFile';
import { UsageError } from './UsageError';
import { distinctFileNames, safeFileName } from '../documents/safeFileName';

/** A document written to disk, as reported on stdout. */
export interface WrittenDocument {
  documentId: string;
  fileName: string;
  contentType: string;
  bytes: number;
  path: string;
  /** True when a file of that name was there before and this one replaced it (said so, never silently). */
  replaced?: boolean;
}

// The cleaning rule lives in the core, shared with `DownloadedDocument.fileName`.
export { safeFileName } from '../documents/safeFileName';

/** Refuses an `--out` that exists and is not a directory, or lies under a file, before anything is sent. */
export async function checkOutDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    // Absent is fine (made when the first document comes); under a file it can never be made.
    if (found.code === 'ENOTDIR') throw new UsageError(`--out ${dir} is under a file, not a directory`);
    return;
  }
  if (!found.isDirectory()) throw new UsageError(`--out ${dir} is not a directory`);
}

/** The client's redaction of its secrets (`client.redactText`); none: names as the server gave them. */
type Redact = (text: string) => string;

/**
 * The file name of each document, made safe; two of one execution with the same name become
 * `name.pdf` and `name (2).pdf`. `redact` hides the client's secrets a server echoed in a name.
 */
export function documentNames(
  taken: Iterable<string> = [],
  redact?: Redact,
): (document: Pick<DownloadedDocument, 'fileName' | 'documentId' | 'serverFileName'>) => string {
  // The numbering rule is the core's, shared with DownloadedDocument.fileName.
  const distinct = distinctFileNames(taken);
  // Redacted first, cleaned second: cleaning turns a key's `/` or `:` into `_`, and the
  // redaction would no longer know the key (outside attack 5, F2). The server's own name when
  // it gave one (`fileName` is already cleaned), else `fileName`.
  return (doc) => distinct(safeFileName(redact ? redact(doc.serverFileName ?? doc.fileName) : doc.fileName, doc.documentId));
}

/** Saves one document into `dir` under `name` (see {@link saveFile}: whole or not at all). */
export async function writeDocument(dir: string, name: string, doc: DownloadedDocument): Promise<WrittenDocument> {
  const { path, replaced } = await saveFile(dir, name, doc.data);
  return { documentId: doc.documentId, fileName: name, contentType: doc.contentType, bytes: doc.data.byteLength, path, ...(replaced ? { replaced } : {}) };
}

/**
 * Writes documents into `dir` (made if needed) under their own file names, made safe, each
 * whole or not at all; two documents of one execution with the same name become `name.pdf`
 * and `name (2).pdf`; the client's secrets a server echoed in a name are redacted (`redact`).
 */
export async function writeDocuments(dir: string, documents: readonly DownloadedDocument[], redact?: Redact): Promise<WrittenDocument[]> {
  await mkdir(dir, { recursive: true });
  const nameOf = documentNames([], redact);
  const written: WrittenDocument[] = [];
  for (const doc of documents) written.push(await writeDocument(dir, nameOf(doc), doc));
  return written;
}

/** The line that reports a written document: `wrote`, or `replaced` when a file of that name was overwritten. */
export function writtenLine(doc: WrittenDocument, detail: string): string {
  return `  ${doc.replaced ? 'replaced' : 'wrote'} ${doc.path} (${detail})`;
}
