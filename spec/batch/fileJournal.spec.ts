import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fsPromises from 'node:fs/promises';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileJournal } from '../../lib/node/fileJournal';
import type { JournalRecord } from '../../lib/batch/journalTypes';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sfrx-journal-')), 'batch.jsonl');
const starting = (key: string): JournalRecord => ({ type: 'starting', at: '2026-12-01T00:00:00.000Z', key });
// Reads check the journal's rules: records follow the plan.
const plan: JournalRecord = { type: 'planned', v: 1, at: '2026-12-01T00:00:00.000Z', jobs: ['a', 'b', 'c'].map((key) => ({ key, flowId: 'f', inputHash: 'h' })) };

describe('fileJournal', () => {
  it('reads nothing from a file that does not exist yet', async () => {
    expect(await fileJournal(fresh()).read()).toEqual({ records: [] });
  });

  it('appends one JSON line per record, in call order, and reads them back (also from a new journal on the same file)', async () => {
    const path = fresh();
    const journal = fileJournal(path);
    await Promise.all([journal.append(plan), ...['a', 'b', 'c'].map((k) => journal.append(starting(k)))]);
    expect(readFileSync(path, 'utf8').split('\n')).toEqual([JSON.stringify(plan), ...['a', 'b', 'c'].map((k) => JSON.stringify(starting(k))), '']);
    expect((await fileJournal(path).read()).records).toEqual([plan, ...['a', 'b', 'c'].map(starting)]);
  });

  it('tolerates a torn last line: reports it, cuts it off, and the next append starts a clean line', async () => {
    const path = fresh();
    writeFileSync(path, `${JSON.stringify(plan)}\n${JSON.stringify(starting('a'))}\n{"type":"started","at":"2026-12-01T00:0`);
    const journal = fileJournal(path);
    expect(await journal.read()).toEqual({ records: [plan, starting('a')], tornLine: '{"type":"started","at":"2026-12-01T00:0', lines: [1, 2] });
    await journal.append(starting('b'));
    expect(await fileJournal(path).read()).toEqual({ records: [plan, starting('a'), starting('b')], lines: [1, 2, 3] });
  });

  it('keeps a whole last record that only lacks its newline', async () => {
    const path = fresh();
    writeFileSync(path, `${JSON.stringify(plan)}\n${JSON.stringify(starting('a'))}`);
    const journal = fileJournal(path);
    expect(await journal.read()).toEqual({ records: [plan, starting('a')], lines: [1, 2] });
    await journal.append(starting('b'));
    expect((await journal.read()).records).toEqual([plan, starting('a'), starting('b')]);
  });

  it('fails the read on a broken line that is not the last (the file was damaged, not torn)', async () => {
    const path = fresh();
    writeFileSync(path, `${JSON.stringify(starting('a'))}\nnot json\n${JSON.stringify(starting('b'))}\n`);
    await expect(fileJournal(path).read()).rejects.toThrow(/line 2 is not a journal record/);
  });

  it('cuts a torn last line at its own first byte, also when an earlier line holds bytes that are not UTF-8', async () => {
    const path = fresh();
    const whole = Buffer.concat([
      Buffer.from(`${JSON.stringify(plan)}\n{"type":"starting","at":"2026-12-01T00:00:00.000Z","key":"a","note":"`),
      Buffer.from([0xff, 0xfe, 0xff]),
      Buffer.from('"}\n'),
    ]);
    writeFileSync(path, Buffer.concat([whole, Buffer.from('{"type":"starting","at":"2026-12-01T00:0')]));
    const journal = fileJournal(path);
    expect((await journal.read()).tornLine).toBe('{"type":"starting","at":"2026-12-01T00:0');
    expect(readFileSync(path).equals(whole)).toBe(true);
    await journal.append(starting('b'));
    expect((await fileJournal(path).read()).lines).toEqual([1, 2, 3]);
  });

  it('reads a journal that starts with a UTF-8 byte order mark (a text editor saved it)', async () => {
    const path = fresh();
    writeFileSync(path, `\uFEFF${JSON.stringify(plan)}\n${JSON.stringify(starting('a'))}\n`);
    expect(await fileJournal(path).read()).toEqual({ records: [plan, starting('a')], lines: [1, 2] });
  });

  describe('a journal that cannot be written or read: the I/O error, as such, before anything is sent', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });
    it.each(['EROFS', 'ENOSPC', 'EACCES'])('%s', async (code) => {
      const path = fresh();
      writeFileSync(path, `${JSON.stringify(plan)}\n`);
      const failure = Object.assign(new Error(`${code}: the file system said no, open '${path}'`), { code });
      jest.spyOn(fsPromises, 'open').mockRejectedValue(failure);
      await expect(fileJournal(path).read()).rejects.toMatchObject({
        name: 'SmartFlowsJournalError',
        message: `cannot write the journal ${path}: ${code}: the file system said no, open '${path}'`,
        cause: failure,
      });
    });

    it('EACCES on reading', async () => {
      const path = fresh();
      const failure = Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      jest.spyOn(fsPromises, 'readFile').mockRejectedValue(failure);
      await expect(fileJournal(path, { lock: false }).read()).rejects.toMatchObject({ name: 'SmartFlowsJournalError', message: `cannot read the journal ${path}: EACCES: permission denied, open '${path}'` });
    });
  });
});
