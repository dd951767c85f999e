import { open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BatchJournal, JournalContents, JournalRecord } from '../batch/journalTypes';

/**
 * A batch journal in a JSON-lines file: one record a line, each appended and fsynced before
 * `append` resolves (the file's folder is fsynced too when the file is created, so the file
 * itself survives a power cut). Reading tolerates a last line cut short by a crash: it is
 * reported as `tornLine` and cut off the file, so the next append starts on a clean line;
 * any other line that is not a record fails the read. One process at a time per file.
 * @param path - the file; created on the first append (its folder must exist)
 * @example
 * import { fileJournal } from 'smart-flows-rx/node';
 * client.runBatch(jobs, { journal: fileJournal('invoices-2026-12.jsonl') }).subscribe(...);
 * // after a crash, the same call resumes the batch: nothing is started twice
 */
export function fileJournal(path: string): BatchJournal {
  // Appends run one after another, in call order, whatever their callers await.
  let queue: Promise<void> = Promise.resolve();
  let created = false;
  const appendLine = async (line: string) => {
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
  return {
    read: () => {
      const reading = queue.then(() => readLines(path));
      queue = reading.then(() => undefined, () => undefined);
      return reading;
    },
    append: (record: JournalRecord) => {
      const line = `${JSON.stringify(record)}\n`;
      const writing = queue.then(() => appendLine(line));
      queue = writing.catch(() => undefined);
      return writing;
    },
  };
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

async function readLines(path: string): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
    throw error;
  }
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (!record) throw new Error(`${path} line ${index + 1} is not a journal record`);
    records.push(record);
  });
  if (tail.trim() === '') return { records };
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
    return { records: [...records, whole] };
  }
  await truncate(path, Buffer.byteLength(text, 'utf8') - Buffer.byteLength(tail, 'utf8'));
  return { records, tornLine: tail };
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as JournalRecord) : undefined;
  } catch {
    return undefined;
  }
}
