/**
 * Deepest nesting of arrays and objects read from the server. A server written with .NET's
 * System.Text.Json stops at 64 by default; past this bound an answer is refused before
 * `JSON.parse` (10 MB of `[[[[…` parse into ~330 MB over seconds, and anything recursive over
 * the result, a schema or `JSON.stringify`, then overflows the stack).
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Whether JSON `text` nests arrays and objects more than `max` deep (brackets inside strings do
 * not count). One pass over the characters, without allocating; a text no longer than `max`
 * cannot be deeper, so a small answer (a progress poll) is not scanned at all.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, past escaped characters.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
