import { createHash } from 'node:crypto';
import { safeFileName } from './writeDocuments';

/** Longest folder name kept from a key before the hash suffix, in characters… */
const MAX_KEPT = 100;
/** …and in UTF-8 bytes: file systems allow 255, and the longest suffix (`-` and 64 hex digits) takes 65. */
const MAX_KEPT_BYTES = 190;

/** `name` cut to {@link MAX_KEPT} characters and {@link MAX_KEPT_BYTES} bytes, between code points (never half an emoji). */
function cut(name: string): string {
  let bytes = 0;
  let kept = '';
  let count = 0;
  for (const char of name) {
    bytes += Buffer.byteLength(char);
    if (++count > MAX_KEPT || bytes > MAX_KEPT_BYTES) break;
    kept += char;
  }
  return kept;
}

/** A stable hash of a key: the first `length` hex digits of its SHA-256. */
const hashOf = (key: string, length = 8) => createHash('sha256').update(key).digest('hex').slice(0, length);

/** How macOS and Windows compare names: neither case nor Unicode normalization (é, e + U+0301) counts. */
const sameAs = (name: string) => name.normalize('NFC').toLowerCase();

/** Hash lengths tried, in turn, for keys whose folders still clash (the last one, the whole hash, ends it). */
const HASH_LENGTHS = [8, 16, 32, 64];

/**
 * The folder of each job under `--out`, distinct for distinct keys. A key that is a safe file
 * name as it is names its folder; a key that cleaning changed (separators, `:`, controls,
 * leading dots or spaces, more than 100 characters or 190 UTF-8 bytes: cut between characters) gets `-<8 hex digits of its SHA-256>`
 * after its cleaned form; and keys whose folders would still be the same, ignoring case and
 * Unicode normalization (as macOS and Windows do), all get the suffix, a longer one (16, 32, 64
 * digits) as long as their folders clash (a key may be another key's hashed name).
 * `a/b` → `a_b-3f2c…`, `a_b` → `a_b`.
 * @param keys - every key of the batch (the rule looks at them all, so it is the same on resume)
 * @returns the folder name of a key
 */
export function jobFolders(keys: readonly string[]): (key: string) => string {
  const base = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const key of keys) {
    const cleaned = safeFileName(key, 'job');
    const kept = cleaned === key && cut(key) === key;
    base.set(key, kept ? key : cut(cleaned));
    folders.set(key, kept ? key : `${cut(cleaned)}-${hashOf(key)}`);
  }
  for (const length of HASH_LENGTHS) {
    const byName = new Map<string, string[]>();
    for (const [key, folder] of folders) byName.set(sameAs(folder), [...(byName.get(sameAs(folder)) ?? []), key]);
    const clashing = [...byName.values()].filter((group) => group.length > 1).flat();
    if (clashing.length === 0) break;
    for (const key of clashing) folders.set(key, `${base.get(key)}-${hashOf(key, length)}`);
  }
  return (key) => folders.get(key) ?? `${cut(safeFileName(key, 'job'))}-${hashOf(key)}`;
}
