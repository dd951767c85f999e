import { describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import path from 'node:path';
import { safeFileName } from '../../lib/documents/safeFileName';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\s*\..*)?$/i;

/** What `writeFile(join(dir, name))` needs of a name: it stays in `dir`, on every file system. */
function isOneSafeSegment(name: string): boolean {
  return (
    name.length > 0 &&
    path.posix.basename(name) === name &&
    path.win32.basename(name) === name &&
    name !== '.' &&
    name !== '..' &&
    !name.startsWith('.') &&
    Buffer.byteLength(name, 'utf8') <= 255 &&
    !CONTROL.test(name) &&
    !/[:*?"<>|]/.test(name) &&
    !/[. ]$/.test(name) &&
    name.trim() === name &&
    !DEVICE.test(name) &&
    !LONE_SURROGATE.test(name)
  );
}

/** Strings that stress the rule: separators, dots, controls, bidi, devices, long non-ASCII runs. */
const hostileName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.array(fc.constantFrom('..', '.', '/', '\\', 'C:', ' ', '\u0000', '\u202e', '\ufeff', 'CON', 'nul', '.pdf', 'é', '😀', '\ud800', 'a'), { maxLength: 120 }).map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom('é', '😀', 'a', '.', ' '), minLength: 200, maxLength: 400 }).map((s) => `${s}.pdf`),
);

describe('safeFileName', () => {
  test.prop([hostileName, fc.string({ unit: 'binary', maxLength: 40 })], { numRuns: 2_000 })(
    'gives one non-empty safe path segment for any name and fallback, and leaves it as it is when cleaned again',
    (name, fallback) => {
      const safe = safeFileName(name, fallback);
      expect(isOneSafeSegment(safe)).toBe(true);
      expect(safeFileName(safe, fallback)).toBe(safe);
    },
  );

  test.prop([fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _-]{0,40}\.[a-z]{2,4}$/)], { numRuns: 300 })('keeps an ordinary name as it is', (name) => {
    expect(safeFileName(name, 'x')).toBe(name);
  });

  test.each<[string, string]>([
    ['../escape.pdf', '__escape.pdf'],
    ['/etc/passwd', '_etc_passwd'],
    ['C:\\x', 'C__x'],
    ['..', '_'],
    ['.hidden', '_hidden'],
    ['a\u0000b.pdf', 'a_b.pdf'],
    ['invoice\u202efdp.exe', 'invoice_fdp.exe'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['COM1.pdf', '_COM1.pdf'],
    ['console.pdf', 'console.pdf'],
    ['report.pdf. . ', 'report.pdf'],
    ['  Grüße.pdf  ', 'Grüße.pdf'],
    ['', 'fallback-id'],
    ['   ', 'fallback-id'],
  ])('cleans %j to %j', (name, expected) => {
    expect(safeFileName(name, 'fallback-id')).toBe(expected);
  });

  test('cuts a name past 255 UTF-8 bytes on a character boundary, keeping its extension', () => {
    const safe = safeFileName(`${'😀'.repeat(100)}.pdf`, 'x');
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(255);
    expect(safe).toMatch(/^(😀)+\.pdf$/);
    expect(LONE_SURROGATE.test(safe)).toBe(false);
  });

  test('uses the fallback cleaned, and a fixed name when nothing is left of either', () => {
    expect(safeFileName('..', '../id')).toBe('_');
    expect(safeFileName(' ', ' . ')).toBe('_');
    expect(safeFileName(' ', '   ')).toBe('file');
  });
});
