import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { lastValueFrom, of } from 'rxjs';
import type { DownloadedDocument, FlowExecution, FlowProgress } from '../../lib/api/types';
import { downloadAll } from '../../lib/documents/downloadAll';
import { distinctFileNames, safeFileName } from '../../lib/documents/safeFileName';

const bytes = (s: string) => Buffer.byteLength(s);
const ID = (n: number) => `d0c00000-0000-4000-8000-00000000000${n}`;

// Attack follow-up item 11 (repro-7): three documents of one run named Invoice.pdf, Invoice.pdf
// and INVOICE.PDF kept those names, and the README's writeFileSync(d.fileName, d.data) kept one.
describe('downloadAll: the documents of one execution', () => {
  it('get distinct file names, case-insensitively: name.pdf, name (2).pdf, name (3).pdf', async () => {
    const names = ['Invoice.pdf', 'Invoice.pdf', 'INVOICE.PDF', 'Other.pdf'];
    const execution: FlowExecution = {
      id: 'e', status: 'Success', rawStatus: 'Success',
      state: { output: Object.fromEntries(names.map((displayName, i) => [`k${i}`, { id: ID(i + 1), displayName, type: 'document' }])) },
    };
    const progress: FlowProgress = { id: 'e', percentage: 100, message: '', status: 'Success', rawStatus: 'Success' };
    const download = (documentId: string, knownName?: string) =>
      of<DownloadedDocument>({ documentId, fileName: knownName ?? documentId, contentType: 'application/pdf', data: new Uint8Array([1]) });
    const documents = await lastValueFrom(downloadAll(download, progress, execution));
    expect(documents.map((d) => d.fileName)).toEqual(['Invoice.pdf', 'Invoice (2).pdf', 'INVOICE (3).PDF', 'Other.pdf']);
    expect(documents.map((d) => d.documentId)).toEqual([ID(1), ID(2), ID(3), ID(4)]);
  });
});

describe('distinctFileNames (one numbering rule: downloadAll and the CLI)', () => {
  // Before: the CLI's loop appended " (2)" to a 255-byte name: ENAMETOOLONG (followups item 5b).
  it.each([
    ['ASCII', `${'a'.repeat(251)}.pdf`, 2],
    ['multi-byte (é, 2 bytes)', `${'é'.repeat(125)}a.pdf`, 2],
    ['no extension', 'b'.repeat(255), 2],
    ['ten of them', `${'c'.repeat(251)}.pdf`, 10],
  ])('%s, a name at 255 bytes: each copy distinct and at most 255 bytes', (_label, name, count) => {
    expect(bytes(name)).toBe(255);
    const next = distinctFileNames();
    const names = Array.from({ length: count }, () => next(name));
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(count);
    for (const n of names) expect(bytes(n)).toBeLessThanOrEqual(255);
    expect(names[1]).toMatch(/ \(2\)(\.pdf)?$/);
    if (name.endsWith('.pdf')) for (const n of names) expect(n.endsWith('.pdf')).toBe(true);
  });

  it('numbers past the names already taken (a folder written before)', () => {
    const next = distinctFileNames(['a.pdf', 'A (2).pdf']);
    expect(next('a.pdf')).toBe('a (3).pdf');
  });

  test.prop([fc.array(fc.oneof(fc.constantFrom('a.pdf', 'A.PDF', 'a (2).pdf', 'x', `${'é'.repeat(127)}.pdf`), fc.string({ unit: 'binary', maxLength: 300 })), { maxLength: 12 })], { numRuns: 200 })(
    'any names: the first of each is kept, all distinct case-insensitively, each a safe name of at most 255 bytes',
    (raw) => {
      const next = distinctFileNames();
      const safe = raw.map((n) => safeFileName(n, 'document'));
      const names = safe.map((n) => next(n));
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
      for (const n of names) {
        expect(bytes(n)).toBeLessThanOrEqual(255);
        expect(safeFileName(n, 'document')).toBe(n);
      }
      expect(names[0]).toBe(safe[0]);
    },
  );
});
