import { createHash } from 'node:crypto';
import { safeFileName } from './writeDocuments';

/** Longest folder name kept from a key before the hash suffix (file systems allow 255 bytes). */
const MAX_KEPT = 100;

/** A short stable hash of a key: 8 hex digits of its SHA-256. */
const hashOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * The folder of each job under `--out`, distinct for distinct keys. A key that is a safe file
 * name as it is names its folder; a key that cleaning changed (separators, `:`, controls,
 * leading dots or spaces, more than 100 characters) gets `-<8 hex digits of its SHA-256>`
 * after its cleaned form; and keys whose folders would still be the same, ignoring case (as
 * macOS and Windows do), all get the suffix. `a/b` → `a_b-3f2c…`, `a_b` → `a_b`.
 * @param keys - every key of the batch (the rule looks at them all, so it is the same on resume)
 * @returns the folder name of a key
 */
export function jobFolders(keys: readonly string[]): (key: string) => string {
  const first = new Map<string, string>();
  for (const key of keys) {
    const cleaned = safeFileName(key, 'job');
    first.set(key, cleaned === key && cleaned.length <= MAX_KEPT ? key : `${cleaned.slice(0, MAX_KEPT)}-${hashOf(key)}`);
  }
  const uses = new Map<string, number>();
  for (const name of first.values()) uses.set(name.toLowerCase(), (uses.get(name.toLowerCase()) ?? 0) + 1);
  const folders = new Map<string, string>();
  for (const [key, name] of first) folders.set(key, (uses.get(name.toLowerCase()) ?? 0) > 1 && name === key ? `${name}-${hashOf(key)}` : name);
  return (key) => folders.get(key) ?? `${safeFileName(key, 'job').slice(0, MAX_KEPT)}-${hashOf(key)}`;
}
