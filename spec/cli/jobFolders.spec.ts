import { createHash } from 'node:crypto';
import { describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { jobFolders } from '../../lib/cli/jobFolders';

const hash8 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);
/** How macOS and Windows compare names: case and Unicode normalization do not count. */
const same = (name: string) => name.normalize('NFC').toLowerCase();

describe('jobFolders: one folder per key', () => {
  test('a key that is another key\'s hashed folder name does not share that folder (inv, INV, inv-<hash of inv>)', () => {
    const keys = ['inv', 'INV', `inv-${hash8('inv')}`];
    const folderOf = jobFolders(keys);
    expect(new Set(keys.map((key) => same(folderOf(key)))).size).toBe(3);
  });

  test('keys that differ only by Unicode normalization (é as one code point or e + U+0301) get two folders', () => {
    const keys = ['caf\u00e9', 'cafe\u0301'];
    const folderOf = jobFolders(keys);
    expect(same(folderOf(keys[0]!))).not.toBe(same(folderOf(keys[1]!)));
  });

  test('a long non-Latin key (90 CJK characters, 270 bytes; emoji) gets a folder name of at most 255 bytes, cut between characters', () => {
    for (const key of ['請求書'.repeat(30), '\u{1F600}'.repeat(99), `a${'\u{1F600}'.repeat(60)}`]) {
      const folder = jobFolders([key])(key);
      expect(Buffer.byteLength(folder)).toBeLessThanOrEqual(255);
      // No lone surrogate: half an emoji would be written as U+FFFD.
      expect(folder).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  test('a safe key no other key clashes with keeps its name', () => {
    expect(jobFolders(['A1', 'B2'])('A1')).toBe('A1');
  });

  // Keys built from pieces that clean, clash and look like hashed names, so collisions are common.
  const piece = fc.constantFrom('inv', 'INV', 'a/b', 'a_b', 'a:b', ' a_b ', 'caf\u00e9', 'cafe\u0301', '-', '_', '1', '請求書'.repeat(20), '\u{1F600}'.repeat(30));
  const key = fc.array(piece, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
  const keySets = fc
    .uniqueArray(key, { minLength: 1, maxLength: 12 })
    .chain((keys) => fc.subarray(keys).map((some) => [...keys, ...some.map((k) => `${jobFolders(keys)(k)}`)]))
    .map((keys) => [...new Set(keys)]);

  test.prop([keySets], { numRuns: 300 })('distinct keys get distinct folders, ignoring case and normalization, also when keys are other keys\' folder names', (keys) => {
    const folderOf = jobFolders(keys);
    const folders = keys.map((k) => same(folderOf(k)));
    expect(new Set(folders).size).toBe(keys.length);
    for (const k of keys) expect(Buffer.byteLength(folderOf(k))).toBeLessThanOrEqual(255);
    // The same on resume: the rule depends on the set of keys only.
    const again = jobFolders([...keys].reverse());
    for (const k of keys) expect(again(k)).toBe(folderOf(k));
  });
});
