import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { RECORD_ENV, readResults, recordResults } from './support/results';

// spec/reliability/results.json is tracked: `npm test` must not rewrite it (a clean clone would be
// left modified). Only `npm run reliability:record` and `npm run soak` set RELIABILITY_RECORD=1.
// A file of its own, so this spec never races the specs that record into the real one.
const dir = mkdtempSync(path.join(tmpdir(), 'smart-flows-results-'));
const file = path.join(dir, 'results.json');
const envBefore = process.env[RECORD_ENV];

afterEach(() => {
  if (envBefore === undefined) delete process.env[RECORD_ENV];
  else process.env[RECORD_ENV] = envBefore;
  rmSync(file, { force: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recordResults', () => {
  it.each([undefined, '', '0', 'true'])(`writes nothing when ${RECORD_ENV} is %p (npm test)`, (value) => {
    if (value === undefined) delete process.env[RECORD_ENV];
    else process.env[RECORD_ENV] = value;

    const written = recordResults('test', 'probe', { cases: 1 }, file);

    expect({ written, fileWritten: existsSync(file) }).toEqual({ written: false, fileWritten: false });
  });

  it(`writes the section when ${RECORD_ENV} is "1" (reliability:record, soak)`, () => {
    process.env[RECORD_ENV] = '1';

    expect(recordResults('soak', 'probe', { cases: 1 }, file)).toBe(true);

    expect(readResults(file).soak?.figures.probe).toMatchObject({ cases: 1 });
  });
});
