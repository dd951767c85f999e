import { describe, expect, it } from '@jest/globals';
import { fileNameFromDisposition, rawFileNameFromDisposition } from '../../lib/documents/fileNameFromDisposition';

describe('fileNameFromDisposition', () => {
  it.each([
    [`attachment; filename="Letter.pdf"`, 'Letter.pdf'],
    [`attachment; filename=Letter.pdf`, 'Letter.pdf'],
    [`attachment; filename="a; b.pdf"`, 'a; b.pdf'],
    // `"` is refused on Windows: the name is one safe path segment (safeFileName).
    [`attachment; filename="say \\"hi\\".pdf"`, 'say _hi_.pdf'],
    [`attachment; filename="Gr__e.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf`, 'Grüße.pdf'],
    [`attachment; filename*=utf-8'en'%E2%82%AC%20rates.pdf; filename="EUR rates.pdf"`, '€ rates.pdf'],
    [`attachment; filename*=iso-8859-1''caf%E9.pdf`, 'café.pdf'],
    [`attachment; FILENAME="Upper.pdf"`, 'Upper.pdf'],
    [`attachment; filename="../../etc/passwd"`, 'passwd'],
    [`attachment; filename=C:\\temp\\x.pdf`, 'x.pdf'],
  ])('reads %s', (header, expected) => {
    expect(fileNameFromDisposition(header)).toBe(expected);
  });

  it.each([[null], [''], ['attachment'], ['inline; filename=""'], [`attachment; filename="..""`], [`attachment; filename*=UTF-8''%E0%A4%A`]])(
    'gives undefined for %s',
    (header) => {
      expect(fileNameFromDisposition(header)).toBeUndefined();
    },
  );

  it('gives the decoded name as the server wrote it with rawFileNameFromDisposition', () => {
    expect(rawFileNameFromDisposition(`attachment; filename="say \\"hi\\".pdf"`)).toBe('say "hi".pdf');
    expect(rawFileNameFromDisposition(`attachment; filename*=UTF-8''..%2F..%2Fx.pdf`)).toBe('../../x.pdf');
    expect(rawFileNameFromDisposition('attachment; filename=""')).toBeUndefined();
  });

  it('falls back to filename when filename* is malformed', () => {
    expect(fileNameFromDisposition(`attachment; filename*=nonsense; filename="ok.pdf"`)).toBe('ok.pdf');
  });
});
