import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../../lib/cli/openJournal';
import { replayJournal } from '../../lib/batch/replayJournal';
import type { JournalRecord } from '../../lib/batch/journalTypes';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sfrx-written-')), 'batch.jsonl');
const plan: JournalRecord = { type: 'planned', v: 1, at: '2026-12-01T00:00:00.000Z', jobs: [{ key: 'a', flowId: 'f', inputHash: 'h' }] };

describe('CliJournal: documentsWritten and recordWritten', () => {
  it('appends a durable `written` record and gives it back to the next run, per job', async () => {
    const path = fresh();
    const first = (await openJournal(path))!;
    await first.journal.append(plan);
    await first.journal.append({ type: 'starting', at: '2026-12-01T00:00:00.000Z', key: 'a' });
    await first.journal.append({ type: 'ended', at: '2026-12-01T00:00:00.000Z', key: 'a', outcome: { state: 'succeeded', documents: [] } });
    expect(first.documentsWritten('a').size).toBe(0);
    await first.recordWritten({ key: 'a', documentId: 'd1', file: 'out/a/one.pdf', bytes: 10 });
    await first.recordWritten({ key: 'a', documentId: 'd2', file: 'out/a/two.pdf', bytes: 20 });
    expect([...first.documentsWritten('a')]).toEqual([
      ['d1', { file: 'out/a/one.pdf', bytes: 10 }],
      ['d2', { file: 'out/a/two.pdf', bytes: 20 }],
    ]);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalRecord);
    expect(lines[3]).toMatchObject({ type: 'written', key: 'a', documentId: 'd1', file: 'out/a/one.pdf', bytes: 10 });
    expect(Number.isNaN(Date.parse((lines[3] as { at: string }).at))).toBe(false);

    const second = (await openJournal(path))!;
    expect(second.documentsWritten('a').size).toBe(0);
    await second.journal.read();
    expect(second.documentsWritten('a').get('d2')).toEqual({ file: 'out/a/two.pdf', bytes: 20 });
    expect(second.documentsWritten('b').size).toBe(0);
  });

  it('is ignored by the batch replay', () => {
    const replay = replayJournal([plan, { type: 'written', at: '2026-12-01T00:00:01.000Z', key: 'a', documentId: 'd', file: 'x', bytes: 1 }], [{ key: 'a', flowId: 'f', inputHash: 'h' }]);
    expect(replay.jobs.get('a')).toEqual({ phase: 'new' });
  });
});
