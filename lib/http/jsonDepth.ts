/**
 * Deepest nesting of arrays and objects read from the server, for every JSON answer: the one
 * depth rule of the client. A server written with .NET's System.Text.Json stops at 64 by
 * default, and no real answer comes near (a model under block ids, a form's schema). Past it an
 * answer is refused before `JSON.parse`: 10 MB of `[[[[…` parse into ~330 MB over seconds, and
 * anything recursive over the result (`findDocuments`, a redaction, an app's `JSON.stringify`)
 * could then overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

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
      // A string: jump to its closing quote (indexOf is native and fast), past escaped quotes.
      let end = i;
      do {
        end = text.indexOf('"', end + 1);
        if (end < 0) return false;
      } while (escaped(text, end));
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Whether the character at `at` follows an odd number of backslashes. */
function escaped(text: string, at: number): boolean {
  let before = at - 1;
  while (text.charCodeAt(before) === 0x5c) before--;
  return (at - 1 - before) % 2 === 1;
}
