import { describe, expect, it } from '@jest/globals';
import { parseCsv } from '../../lib/cli/parseCsv';
import { jobsFormat, readJobs } from '../../lib/cli/readJobs';

const FLOW = '5f1a0000-0000-4000-8000-000000000001';
const OTHER = '5f1a0000-0000-4000-8000-000000000002';
const csv = (text: string, root = 'Input') => readJobs(text, { name: 'jobs.csv', format: 'csv', flowId: FLOW, root });
const jsonl = (text: string) => readJobs(text, { name: 'jobs.jsonl', format: 'jsonl', flowId: FLOW, root: 'Input' });

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, and skips blank lines', () => {
    expect(parseCsv('\uFEFFa,b\r\n1,"x, ""y"""\r\n\r\n2,"two\nlines"\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'x, "y"'] },
      { line: 4, fields: ['2', 'two\nlines'] },
    ]);
  });

  it.each([
    ['a,b\n1,"open\n', 2, 'a quoted field is not closed'],
    ['a,b\n1,x"y\n', 2, 'a quote inside an unquoted field'],
    ['a,b\n\n1,"x"y\n', 3, 'text after a closing quote'],
  ])('names the line of a malformed record: %j', (text, line, message) => {
    let thrown: unknown;
    try {
      parseCsv(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'CsvSyntaxError', line, message: expect.stringContaining(message) });
  });
});

describe('readJobs', () => {
  it('turns CSV columns into the fields of the root element, the key column into the job key', () => {
    expect(csv('key,Customer,Note\nA1,ACME,"<b> & co"\n', 'Letter')).toEqual([
      { key: 'A1', flowId: FLOW, line: 2, input: expect.stringMatching(/<Letter><Customer>ACME<\/Customer><Note>&lt;b&gt; &amp; co<\/Note><\/Letter>$/) },
    ]);
  });

  it('keys rows by line number without a key column, and takes an xml column as the input', () => {
    expect(csv('Customer\nACME\nZed\n').map((j) => j.key)).toEqual(['2', '3']);
    expect(csv('key,xml\nA,<Letter/>\n')).toEqual([{ key: 'A', flowId: FLOW, line: 2, input: '<Letter/>' }]);
  });

  it.each([
    ['key,first name\nA,x\n', "jobs.csv line 1: column 'first name' is not a valid XML element name"],
    ['key,xml\nA,<Letter>\n', /^jobs\.csv line 2: the xml column is not well-formed XML: .*\(line 1, column \d+\)$/],
    ['key,Customer\nA,x\nA,y\n', "jobs.csv line 3: key 'A' repeats line 2"],
    ['key,Customer\n,x\n', 'jobs.csv line 2: the key is empty'],
    ['key,Customer\n', 'jobs.csv has no jobs'],
  ])('refuses bad CSV jobs with the line: %j', (text, message) => {
    expect(() => csv(text)).toThrow(message);
  });

  it('reads JSON lines: flowId per line or from --flow, XML strings or objects as input', () => {
    const jobs = jsonl(`{"key":"a","input":"<Letter/>"}\n\n{"flowId":"${OTHER}","input":{"Letter":{"To":"Ann"}}}\n`);
    expect(jobs).toEqual([
      { key: 'a', flowId: FLOW, line: 1, input: '<Letter/>' },
      { key: '3', flowId: OTHER, line: 3, input: expect.stringMatching(/<Letter><To>Ann<\/To><\/Letter>$/) },
    ]);
  });

  it.each([
    ['{"key":"a"', /^jobs\.jsonl line 1: not JSON/],
    ['{"key":"a","input":"<a>"}', /^jobs\.jsonl line 1: the input is not well-formed XML/],
    ['{"key":"a","inptu":"<a/>"}', "jobs.jsonl line 1: unknown field 'inptu' (expected key, flowId, input)"],
    ['{"key":"a","flowId":"nope"}', "jobs.jsonl line 1: flowId 'nope' is not a GUID"],
  ])('refuses bad JSON lines with the line: %j', (text, message) => {
    expect(() => jsonl(text)).toThrow(message);
  });

  it('needs a flow for every job', () => {
    expect(() => readJobs('{"key":"a"}', { name: 'jobs.jsonl', format: 'jsonl', flowId: undefined, root: 'Input' })).toThrow('jobs.jsonl line 1: no flow: pass --flow <flowId> or give "flowId" on every line');
  });

  it('takes the format from the extension, else from the first character', () => {
    expect(jobsFormat('jobs.CSV', '{', undefined)).toBe('csv');
    expect(jobsFormat('jobs.ndjson', 'a,b', undefined)).toBe('jsonl');
    expect(jobsFormat('', '  {"key":1}', undefined)).toBe('jsonl');
    expect(jobsFormat('', 'key,To', undefined)).toBe('csv');
    expect(() => jobsFormat('', '', 'xml')).toThrow('--format must be csv or jsonl');
  });
});
