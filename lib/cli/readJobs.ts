import { type BatchJob, isGuid } from '../index';
import { isXmlName, toXml } from '../xml/index';
import { CsvSyntaxError, parseCsv } from './parseCsv';
import { checkedXml } from './readSource';
import { UsageError } from './UsageError';

/** A job of a jobs file, its input already XML (so every line is checked before anything is sent). */
export interface FileJob extends BatchJob {
  key: string;
  input?: string;
  /** The line it came from, for messages. */
  line: number;
}

export interface JobsFileOptions {
  /** Name for messages (`jobs.csv`, `stdin`). */
  name: string;
  format: 'csv' | 'jsonl';
  /** `--flow`: the flow of jobs that name none. */
  flowId: string | undefined;
  /** `--root`: the root element of an input made from CSV columns. */
  root: string;
}

/** The format a file name stands for (`.csv`, `.jsonl`/`.ndjson`), else sniffed from the text. */
export function jobsFormat(name: string, text: string, given: string | undefined): 'csv' | 'jsonl' {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, got '${given}'`);
    return given;
  }
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/**
 * Reads the jobs of a batch: CSV (a header row; a `key` column names the job; an `xml` column
 * is the input as is; else the other columns become the fields of `<root>`) or JSON lines
 * (`{ "key": "A1", "flowId"?: "…", "input": "<xml/>" | { "Root": { … } } }`). A job without
 * a key is keyed by its line number. Any problem is a usage error naming the line.
 */
export function readJobs(text: string, options: JobsFileOptions): FileJob[] {
  const jobs = options.format === 'csv' ? csvJobs(text, options) : jsonlJobs(text, options);
  if (jobs.length === 0) throw new UsageError(`${options.name} has no jobs`);
  const seen = new Map<string, number>();
  for (const job of jobs) {
    const first = seen.get(job.key);
    if (first !== undefined) throw new UsageError(`${options.name} line ${job.line}: key '${job.key}' repeats line ${first}`);
    seen.set(job.key, job.line);
  }
  return jobs;
}

function flowOf(flowId: unknown, options: JobsFileOptions, where: string): string {
  const id = flowId ?? options.flowId;
  if (id === undefined) throw new UsageError(`${where}: no flow: pass --flow <flowId>${options.format === 'jsonl' ? ' or give "flowId" on every line' : ''}`);
  if (!isGuid(id)) throw new UsageError(`${where}: flowId '${String(id)}' is not a GUID`);
  return id;
}

function objectInput(data: Record<string, unknown>, where: string): string {
  try {
    return toXml(data);
  } catch (error) {
    throw new UsageError(`${where}: input cannot become XML: ${(error as Error).message}`);
  }
}

function csvJobs(text: string, options: JobsFileOptions): FileJob[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UsageError(`${options.name} line ${error.line}: malformed CSV: ${error.message}`);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) return [];
  const names = header.fields.map((f) => f.trim());
  const keyAt = names.indexOf('key');
  const xmlAt = names.indexOf('xml');
  const where = `${options.name} line ${header.line}`;
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) throw new UsageError(`${where}: column '${name}' appears twice`);
    if (xmlAt < 0 && i !== keyAt && !isXmlName(name)) throw new UsageError(`${where}: column '${name}' is not a valid XML element name`);
  });
  if (xmlAt >= 0 && names.some((n, i) => i !== xmlAt && i !== keyAt)) throw new UsageError(`${where}: with an 'xml' column the only other column may be 'key'`);
  if (!isXmlName(options.root)) throw new UsageError(`--root '${options.root}' is not a valid XML element name`);
  const flowId = flowOf(undefined, options, options.name);
  return rows.map(({ line, fields }) => {
    const at = `${options.name} line ${line}`;
    if (fields.length !== names.length) throw new UsageError(`${at}: malformed CSV: ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${names.length}`);
    const key = keyAt >= 0 ? fields[keyAt]! : String(line);
    if (!key) throw new UsageError(`${at}: the key is empty`);
    if (xmlAt >= 0) return { key, flowId, input: checkedXml(fields[xmlAt]!, `${at}: the xml column`), line };
    const fieldsOf = Object.fromEntries(names.flatMap((name, i) => (i === keyAt ? [] : [[name, fields[i]]])));
    return { key, flowId, input: objectInput({ [options.root]: fieldsOf }, at), line };
  });
}

function jsonlJobs(text: string, options: JobsFileOptions): FileJob[] {
  const jobs: FileJob[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const at = `${options.name} line ${line}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UsageError(`${at}: not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${at}: expected an object { "key", "flowId"?, "input" }`);
    const { key, flowId, input, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new UsageError(`${at}: unknown field '${unknown[0]}' (expected key, flowId, input)`);
    if (key !== undefined && (typeof key !== 'string' || key === '')) throw new UsageError(`${at}: "key" must be a non-empty string`);
    const job: FileJob = { key: (key as string | undefined) ?? String(line), flowId: flowOf(flowId, options, at), line };
    if (typeof input === 'string') job.input = checkedXml(input, `${at}: the input`);
    else if (typeof input === 'object' && input !== null && !Array.isArray(input)) job.input = objectInput(input as Record<string, unknown>, at);
    else if (input !== undefined) throw new UsageError(`${at}: "input" must be an XML string or an object`);
    jobs.push(job);
  });
  return jobs;
}
