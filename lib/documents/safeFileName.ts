/** Most file systems (ext4, NTFS, APFS) refuse a name longer than this many bytes. */
const MAX_NAME_BYTES = 255;

/**
 * What no file name keeps: path separators, the characters Windows refuses (`:*?"<>|`), C0 and
 * C1 control characters, and the invisible ones that make a name read other than it is
 * (bidi overrides and isolates, zero-width characters, the BOM, line and paragraph separators).
 */
// eslint-disable-next-line no-control-regex
const REFUSED = /[/\\:*?"<>|\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** A UTF-16 surrogate with no partner: it has no UTF-8 form (a file system would see U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Device names Windows opens instead of a file, with any extension (`nul.txt` too). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\s*\..*)?$/i;

/** An extension short enough to be one (`.pdf`, `.docx`), kept when a long name is cut. */
const EXTENSION = /\.[^.\s]{1,16}$/;

const utf8 = new TextEncoder();
const bytesOf = (s: string) => utf8.encode(s).length;

/**
 * Makes `name` one safe path segment, for joining to a folder or giving to `writeFile` as is:
 * path separators, characters Windows refuses (`:*?"<>|`), control, bidi and zero-width
 * characters become `_`; leading dots become one `_` (no `.`, `..` or hidden file); leading
 * and trailing spaces and trailing dots go (Windows drops them); a Windows device name (`CON`,
 * `NUL.txt`, `COM1`…) gets a `_` in front; a name past 255 UTF-8 bytes is cut, keeping its
 * extension. The same name always gives the same result, and a cleaned name is left as it is.
 *
 * @param name - a name from a server or a user (a document's `displayName`, a header's `filename`, a job key)
 * @param fallback - the name to use when nothing is left of `name` (cleaned the same way)
 * @returns a non-empty name with no directory part, never `.` or `..`, at most 255 bytes in UTF-8
 * @example
 * safeFileName('../../etc/passwd', 'document') // '__.._etc_passwd'
 * safeFileName('Invoice 7.pdf', 'document')    // 'Invoice 7.pdf'
 * safeFileName('', documentId)                 // documentId
 */
export function safeFileName(name: string, fallback: string): string {
  return cleanSegment(name) || cleanSegment(fallback) || 'file';
}

/** The cleaning of {@link safeFileName}; `''` when nothing is left. */
function cleanSegment(name: string): string {
  if (typeof name !== 'string') return '';
  let cleaned = name.replace(LONE_SURROGATE, '_').replace(REFUSED, '_').trim().replace(/^\.+/, '_');
  cleaned = trimEnd(cleaned);
  if (WINDOWS_DEVICE.test(cleaned)) cleaned = `_${cleaned}`;
  return bytesOf(cleaned) <= MAX_NAME_BYTES ? cleaned : cut(cleaned);
}

/** Windows drops trailing dots and spaces: `a.pdf.` and `a.pdf` would be one file. */
const trimEnd = (s: string) => s.replace(/[.\s]+$/, '');

/** Cuts a name to 255 bytes on a code point boundary, keeping a short extension. */
function cut(name: string): string {
  const ext = EXTENSION.exec(name)?.[0] ?? '';
  const budget = MAX_NAME_BYTES - bytesOf(ext);
  let stem = '';
  let used = 0;
  for (const ch of name.slice(0, name.length - ext.length)) {
    const size = bytesOf(ch);
    if (used + size > budget) break;
    stem += ch;
    used += size;
  }
  // A cut may end the stem on a space or dot, which Windows would drop.
  stem = trimEnd(stem);
  return stem ? stem + ext : trimEnd(ext.replace(/^\./, '_'));
}

/**
 * Gives each name it is passed a name no earlier one took, compared case-insensitively (one
 * folder on Windows or macOS): the first `Invoice.pdf` stays, the next is `Invoice (2).pdf`,
 * then `INVOICE (3).PDF`. A numbered name stays within 255 UTF-8 bytes: its stem is cut (on a
 * code point boundary) to make room for ` (n)`, its extension kept. The one numbering rule of
 * `DownloadedDocument.fileName` (within one execution's documents) and of the CLI's files.
 *
 * @param taken - names already used (a folder's files), which no name returned will equal
 * @returns a function from a name made by {@link safeFileName} to a distinct one, also safe
 * @example
 * const next = distinctFileNames();
 * next('Invoice.pdf'); // 'Invoice.pdf'
 * next('invoice.pdf'); // 'invoice (2).pdf'
 */
export function distinctFileNames(taken: Iterable<string> = []): (name: string) => string {
  const used = new Set<string>();
  for (const name of taken) used.add(name.toLowerCase());
  return (base) => {
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = numbered(base, n);
    used.add(name.toLowerCase());
    return name;
  };
}

/** `base` with ` (n)` before its extension, its stem cut so that the whole stays within 255 bytes. */
function numbered(base: string, n: number): string {
  const ext = EXTENSION.exec(base)?.[0] ?? '';
  const tail = ` (${n})${ext}`;
  const stem = [...base.slice(0, base.length - ext.length)];
  let size = bytesOf(stem.join('')) + bytesOf(tail);
  while (size > MAX_NAME_BYTES && stem.length > 0) size -= bytesOf(stem.pop()!);
  return (stem.join('') || '_') + tail;
}
