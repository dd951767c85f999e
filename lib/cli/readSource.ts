import { readFile } from 'node:fs/promises';
import { MAX_INPUT_LENGTH } from '../api/prepareInput';
// The check alone (dependency-free), not the xml entry, which loads xmlbuilder2 for toXml.
import { checkXml } from '../xml/checkXml';
import { UsageError } from './UsageError';

/** Something readable as a whole: stdin (`-`) for the command. */
export interface Stdin {
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

/** The text of a file, or of stdin when the name is `-`; a missing file is a usage error. */
export async function readSource(name: string, stdin: Stdin): Promise<string> {
  if (name === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(name, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? (error as Error).message}`);
  }
}

/**
 * An XML input, checked before anything is sent: a usage error when it is longer than the
 * server takes (`MAX_INPUT_LENGTH`, 10 MiB, counted in UTF-8 bytes as the request body is: non-Latin
 * text takes two or three bytes a character), or with line and column when not well-formed.
 */
export function checkedXml(xml: string, where: string): string {
  const text = xml.replace(/^\uFEFF/, '');
  // No text of more bytes than 3 a character: the byte count is needed only past a third of the limit.
  const bytes = text.length * 3 > MAX_INPUT_LENGTH ? Buffer.byteLength(text) : text.length;
  if (bytes > MAX_INPUT_LENGTH) throw new UsageError(`${where} is ${bytes} bytes (UTF-8); the limit is ${MAX_INPUT_LENGTH} bytes (10 MiB)`);
  const issue = checkXml(text);
  if (issue) {
    const detail = /\(line \d+, column \d+\)/.test(issue.message) ? issue.message : `${issue.message} (line ${issue.line}, column ${issue.column})`;
    throw new UsageError(`${where} is not well-formed XML: ${detail}`);
  }
  return text;
}
