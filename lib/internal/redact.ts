import { REDACTED } from './redacted';

export { REDACTED };

/** The shortest piece of a secret counted as a leak: a secret cut at a length limit still shows its start. */
const MIN_PIECE = 8;
/** The shortest piece cut at both ends (from the secret's middle) counted as a leak. */
const MIN_MIDDLE = 12;
/** The shortest base64 run looked for (6 bytes of the secret). */
const MIN_BASE64 = 8;
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/** Replaces secrets in a text; the text is returned as is when it holds none. */
export type Redact = (text: string) => string;

/** A secret as the spellings of each of its characters. */
type Spelled = readonly (readonly string[])[];

/**
 * A redaction of `secrets` in every form a server echoes one in: as is, percent-encoded (either
 * hex case, form-encoded `+` for a space), JSON-escaped (`\"`, `\\`, `\/`, `\u00XX`, escaped
 * once, twice or three times), HTML-escaped (named, decimal or hex references), any mix of these
 * character by character, base64 (standard or url-safe, padded or not, alone or inside a longer run such as
 * `user:key`: the whole run goes, also when cut to 12 characters of the secret's own, and also
 * when wrapped in lines, as MIME and PEM do), hex (either case, the UTF-8 bytes), in either
 * letter case (upper- or lower-cased), and cut: a piece of at least 8 characters that starts or
 * ends like the secret (a body cut at a limit), or of at least 12 from its middle. Not covered:
 * a piece shorter than those, and forms that are not character by character or base64 (hashes,
 * other encryptions, a base64 of the secret's hex). Built once per set of secrets; meant for error
 * paths. Linear in the text (times the secret's length): each character's spellings are literal
 * strings, matched by `startsWith` from the places a character of the secret appears (no
 * regular expression a hostile text could make backtrack).
 *
 * @param secrets - the values to hide; `undefined` and empty ones are ignored
 * @returns a function giving the text with each occurrence replaced by `[redacted]`
 * @example
 * redactor(['s3cr3t+key/01'])('echo: s3cr3t%2Bkey%2F01 and czNjcjN0K2tleS8wMQ==') // 'echo: [redacted] and [redacted]'
 */
export function redactor(secrets: Iterable<string | undefined>): Redact {
  const spelled: Spelled[] = [];
  const base64: string[] = [];
  for (const secret of new Set(secrets)) {
    if (!secret) continue;
    spelled.push([...secret].map(spellings));
    base64.push(...base64Cores(secret));
  }
  if (spelled.length === 0) return (text) => text;
  return (text) => {
    if (typeof text !== 'string' || text === '') return text;
    const ranges: [number, number][] = [];
    for (const chars of spelled) findSpelled(text, chars, ranges);
    const lines = base64.length > 0 ? unwrapped(text) : undefined;
    for (const core of base64) findBase64(text, core, ranges, lines);
    return ranges.length === 0 ? text : replaceRanges(text, ranges);
  };
}

/**
 * Every place `text` holds the secret, a piece of at least 8 characters at its start or end, or
 * one of at least 12 from its middle.
 */
function findSpelled(text: string, chars: Spelled, ranges: [number, number][]): void {
  const n = chars.length;
  const least = Math.min(MIN_PIECE, n);
  let found: [number, number][] = [];
  // From each place the k-th character is written (k = 0: the start, at least 8 characters;
  // later, the middle, at least 12): as far forward as the secret goes. A place inside a piece
  // already found is not tried again (each k scans the text once, and skips what is found).
  for (let k = 0; k === 0 || k + MIN_MIDDLE <= n; k++) {
    const need = k === 0 ? least : MIN_MIDDLE;
    const before = found;
    found = [...before];
    for (const first of chars[k]!) {
      let r = 0;
      for (let at = text.indexOf(first); at !== -1; ) {
        while (r < before.length && before[r]![1] <= at) r++;
        if (r < before.length && before[r]![0] <= at) {
          at = text.indexOf(first, before[r]![1]);
          continue;
        }
        const end = reach(text, chars, k, at, need);
        if (end !== undefined) found.push([at, end]);
        at = text.indexOf(first, end ?? at + 1);
      }
    }
    found = merged(found);
  }
  ranges.push(...found);
  if (n <= least) return;
  // From each place the last character ends: as far back as the secret goes (a cut start); an
  // end inside a piece already found is not tried (the places come in order: one pointer).
  for (const last of chars[n - 1]!) {
    let k = 0;
    for (let at = text.indexOf(last); at !== -1; at = text.indexOf(last, at + 1)) {
      const to = at + last.length;
      while (k < found.length && found[k]![1] < to) k++;
      if (k < found.length && found[k]![0] < to) continue;
      const start = reachBack(text, chars, to, least);
      if (start !== undefined) ranges.push([start, to]);
    }
  }
}

/** `ranges` sorted, those that overlap or touch made one: disjoint, in order. */
function merged(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of ranges) {
    const open = out.at(-1);
    if (open && start <= open[1]) open[1] = Math.max(open[1], end);
    else out.push([start, end]);
  }
  return out;
}

/**
 * The furthest end of a spelling of `chars[k..j]` starting at `from`, for the largest j reached
 * (at least `least` characters); every spelling is followed (a set of places, no backtracking).
 */
function reach(text: string, chars: Spelled, k: number, from: number, least: number): number | undefined {
  let places = [from];
  let best: number | undefined;
  for (let i = k; i < chars.length && places.length > 0; i++) {
    const next = new Set<number>();
    for (const p of places) for (const way of chars[i]!) if (text.startsWith(way, p)) next.add(p + way.length);
    places = [...next];
    if (places.length > 0 && i - k + 1 >= least) best = Math.max(...places);
  }
  return best;
}

/** Like {@link reach}, backwards from `to`: the earliest start of a spelling of the secret's last characters. */
function reachBack(text: string, chars: Spelled, to: number, least: number): number | undefined {
  let places = [to];
  let best: number | undefined;
  for (let i = chars.length - 1, count = 1; i >= 0 && places.length > 0; i--, count++) {
    const next = new Set<number>();
    for (const p of places) for (const way of chars[i]!) if (p >= way.length && text.startsWith(way, p - way.length)) next.add(p - way.length);
    places = [...next];
    if (places.length > 0 && count >= least) best = Math.min(...places);
  }
  return best;
}

/** How many times a JSON escape is looked for nested: an echo escaped twice, inside a JSON body. */
const JSON_DEPTH = 3;
const NAMED: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };
const utf8 = new TextEncoder();

/** Every way one character is written in the texts servers echo, as literal strings. */
function spellings(ch: string): string[] {
  const code = ch.codePointAt(0)!;
  const ways = new Set<string>([ch]);
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const bothCases = (s: string) => [s.toUpperCase(), s.toLowerCase()];
  // Upper- or lower-cased (the whole secret, or a mix: case-insensitive), and hex, either case.
  for (const c of bothCases(ch)) ways.add(c);
  for (const c of bothCases([...utf8.encode(ch)].map((b) => hex(b, 2)).join(''))) ways.add(c);
  // Percent-encoded: each UTF-8 byte, either hex case; a space may be a `+` (forms).
  for (const c of bothCases([...utf8.encode(ch)].map((b) => `%${hex(b, 2)}`).join(''))) ways.add(c);
  if (ch === ' ') ways.add('+');
  // JSON: `\uXXXX` (a surrogate pair beyond U+FFFF) and the escapes of `"`, `\` and `/`, escaped
  // once, twice or three times (an echo escaped twice, put in a JSON body: CI seed 204519787).
  // Each escaping doubles the backslashes before a character and may add one of its own: escaped
  // d times, `\` is 2^d backslashes, `"` follows 2^d - 1 (each JSON writer escapes it) and `\u`
  // 2^(d-1); `/` follows any number up to 2^d - 1 (`\/` is optional: `\/` put in a JSON body
  // by a writer that leaves `/` as is is `\\/`).
  const units = ch.split('').map((u) => hex(u.charCodeAt(0), 4));
  for (let depth = 1; depth <= JSON_DEPTH; depth++) {
    const slashes = '\\'.repeat(2 ** (depth - 1));
    for (const c of bothCases(units.map((u) => `u${u}`).join(slashes))) ways.add(`${slashes}${c}`.replace(/U/g, 'u'));
    if (ch === '"') ways.add(`${'\\'.repeat(2 ** depth - 1)}"`);
    if (ch === '\\') ways.add('\\'.repeat(2 ** depth));
  }
  if (ch === '/') for (let n = 1; n < 2 ** JSON_DEPTH; n++) ways.add(`${'\\'.repeat(n)}/`);
  // HTML: a named entity, a decimal or a hex character reference.
  if (NAMED[ch]) ways.add(`&${NAMED[ch]};`);
  if (ch === "'") ways.add('&#39;');
  ways.add(`&#${code};`);
  for (const c of bothCases(hex(code, 1))) {
    ways.add(`&#x${c};`);
    ways.add(`&#X${c};`);
  }
  return [...ways];
}

/**
 * The base64 characters that encode only the secret's bytes, for each of the three ways its
 * bytes can fall in the 3-byte groups of a longer encoded text (`user:key` puts it anywhere),
 * in the standard and the url-safe alphabets.
 */
function base64Cores(secret: string): string[] {
  const bytes = utf8.encode(secret);
  const cores = new Set<string>();
  for (const skip of [0, 1, 2]) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole <= 0) continue;
    const core = toBase64(bytes.subarray(skip, skip + whole));
    if (core.length < MIN_BASE64) continue;
    cores.add(core);
    cores.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...cores];
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The base64 characters of a core looked for at each end: 9 bytes of the secret (a run cut at a limit). */
const BASE64_PIECE = 12;

/**
 * The text without its line breaks, written (CR, LF) or JSON-escaped (`\n`, `\r`, escaped once
 * or more), and where each of its characters was in `text`: base64 wrapped in lines, as MIME
 * and PEM write it, is searched as one run. `undefined` when the text has none.
 */
function unwrapped(text: string): { joined: string; at: Int32Array } | undefined {
  if (!text.includes('\n') && !text.includes('\r') && !text.includes('\\')) return undefined;
  const at = new Int32Array(text.length + 1);
  let joined = '';
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') continue;
    if (c === '\\') {
      let k = i;
      while (text[k] === '\\') k++;
      if (text[k] === 'n' || text[k] === 'r') {
        i = k;
        continue;
      }
      // A run of backslashes before anything else is kept whole (each one is looked at once).
      for (; i < k - 1; i++) {
        joined += '\\';
        at[j++] = i;
      }
    }
    joined += c;
    at[j++] = i;
  }
  at[j] = text.length;
  return { joined, at };
}

/**
 * Each run of base64 characters (with its `=` padding) that holds `core`, or its first or last
 * 12 characters; in `lines.joined` when given (a run may then span lines), mapped back to `text`.
 */
function findBase64(text: string, core: string, ranges: [number, number][], lines?: { joined: string; at: Int32Array }): void {
  const seen = lines?.joined ?? text;
  const pieces = core.length <= BASE64_PIECE ? [core] : [core.slice(0, BASE64_PIECE), core.slice(-BASE64_PIECE)];
  for (const piece of pieces) {
    for (let at = seen.indexOf(piece); at !== -1; at = seen.indexOf(piece, at + piece.length)) {
      let start = at;
      while (start > 0 && BASE64_CHAR.test(seen[start - 1]!)) start--;
      let end = at + piece.length;
      while (end < seen.length && BASE64_CHAR.test(seen[end]!)) end++;
      while (end < seen.length && seen[end] === '=') end++;
      ranges.push(lines ? [lines.at[start]!, lines.at[end - 1]! + 1] : [start, end]);
    }
  }
}

/** The text with each range (merged where they overlap or touch) replaced by `[redacted]`. */
function replaceRanges(text: string, ranges: [number, number][]): string {
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let open: [number, number] | undefined;
  for (const [start, end] of ranges) {
    if (open && start <= open[1]) {
      open[1] = Math.max(open[1], end);
      continue;
    }
    if (open) {
      out += text.slice(from, open[0]) + REDACTED;
      from = open[1];
    }
    open = [start, end];
  }
  if (open) {
    out += text.slice(from, open[0]) + REDACTED;
    from = open[1];
  }
  return out + text.slice(from);
}
