import { readFile } from 'node:fs/promises';
import { MAX_INPUT_LENGTH } from '../api/prepareInput';
import { checkXml } from '../xml/index';
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
 * client sends (the library's `MAX_INPUT_LENGTH`, 10 MiB characters), or with line and column
 * when not well-formed.
 */
export function checkedXml(xml: string, where: string): string {
  const text = xml.replace(/^\uFEFF/, '');
  if (text.length > MAX_INPUT_LENGTH) throw new UsageError(`${where} is ${text.length} characters; the limit is ${MAX_INPUT_LENGTH} (10 MiB)`);
  const issue = checkXml(text);
  if (issue) {
    const detail = /\(line \d+, column \d+\)/.test(issue.message) ? issue.message : `${issue.message} (line ${issue.line}, column ${issue.column})`;
    throw new UsageError(`${where} is not well-formed XML: ${detail}`);
  }
  return text;
}
