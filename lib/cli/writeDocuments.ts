import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadedDocument } from '../index';
import { UsageError } from './UsageError';
import { safeFileName } from '../documents/safeFileName';

/** A document written to disk, as reported on stdout. */
export interface WrittenDocument {
  documentId: string;
  fileName: string;
  contentType: string;
  bytes: number;
  path: string;
}

// The cleaning rule lives in the core, shared with `DownloadedDocument.fileName`.
export { safeFileName } from '../documents/safeFileName';

/** Refuses an `--out` that exists and is not a directory, before anything is sent. */
export async function checkOutDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  const found = await stat(dir).catch(() => undefined);
  if (found && !found.isDirectory()) throw new UsageError(`--out ${dir} is not a directory`);
}

/**
 * Writes documents into `dir` (made if needed) under their own file names, made safe; two
 * documents of one execution with the same name become `name.pdf` and `name (2).pdf`.
 */
export async function writeDocuments(dir: string, documents: readonly DownloadedDocument[]): Promise<WrittenDocument[]> {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const written: WrittenDocument[] = [];
  for (const doc of documents) {
    const base = safeFileName(doc.fileName, doc.documentId);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = base.replace(/(\.[^.]*)?$/, (ext) => ` (${n})${ext}`);
    used.add(name.toLowerCase());
    const path = join(dir, name);
    await writeFile(path, doc.data);
    written.push({ documentId: doc.documentId, fileName: name, contentType: doc.contentType, bytes: doc.data.byteLength, path });
  }
  return written;
}
