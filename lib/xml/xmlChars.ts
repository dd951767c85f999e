/**
 * Character classes of XML 1.0 (Fifth Edition), as code-point tests.
 *
 * Dependency-free on purpose: the core client imports the XML checks directly, without
 * pulling in xmlbuilder2.
 */

/**
 * Tells whether a code point may start a name without a colon (NCName), per the
 * `NameStartChar` production minus `:`.
 *
 * @param cp - a Unicode code point
 * @returns true for letters, `_` and the non-ASCII start ranges
 * @example
 * isNameStartCodePoint(0x61); // 'a' → true
 * isNameStartCodePoint(0x31); // '1' → false
 */
export function isNameStartCodePoint(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f;
  return (
    (cp >= 0xc0 && cp <= 0xd6) ||
    (cp >= 0xd8 && cp <= 0xf6) ||
    (cp >= 0xf8 && cp <= 0x2ff) ||
    (cp >= 0x370 && cp <= 0x37d) ||
    (cp >= 0x37f && cp <= 0x1fff) ||
    (cp >= 0x200c && cp <= 0x200d) ||
    (cp >= 0x2070 && cp <= 0x218f) ||
    (cp >= 0x2c00 && cp <= 0x2fef) ||
    (cp >= 0x3001 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfdcf) ||
    (cp >= 0xfdf0 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0xeffff)
  );
}

/**
 * Tells whether a code point may continue a name without a colon, per the `NameChar`
 * production minus `:`.
 *
 * @param cp - a Unicode code point
 * @returns true for name start characters, digits, `-`, `.`, `·` and combining marks
 * @example
 * isNameCodePoint(0x2d); // '-' → true
 */
export function isNameCodePoint(cp: number): boolean {
  return (
    isNameStartCodePoint(cp) ||
    (cp >= 0x30 && cp <= 0x39) ||
    cp === 0x2d ||
    cp === 0x2e ||
    cp === 0xb7 ||
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x203f && cp <= 0x2040)
  );
}

/**
 * Reads a name without colons (NCName) starting at `pos`.
 *
 * @param s - the text
 * @param pos - where the name should start
 * @returns the index just past the name; `pos` itself when no name starts there
 * @example
 * scanNcName('<ab:c>', 1); // 3
 */
export function scanNcName(s: string, pos: number): number {
  let p = pos;
  while (p < s.length) {
    const cp = s.codePointAt(p) as number;
    if (p === pos ? !isNameStartCodePoint(cp) : !isNameCodePoint(cp)) break;
    p += cp > 0xffff ? 2 : 1;
  }
  return p;
}

/**
 * Finds the first UTF-16 code unit that is not part of an XML 1.0 `Char`: C0 controls
 * other than tab, line feed and carriage return, U+FFFE, U+FFFF and lone surrogates.
 *
 * @param s - the text to scan
 * @returns the index of the first offending code unit, or -1 when all are allowed
 * @example
 * findInvalidXmlChar('ok\u0007'); // 2
 */
export function findInvalidXmlChar(s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0xd800) continue;
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c >= 0xe000 && c <= 0xfffd) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * Tells whether a code point is an XML 1.0 `Char` (what a character reference may name).
 *
 * @param cp - a Unicode code point
 * @returns true when allowed in an XML 1.0 document
 * @example
 * isXmlCodePoint(0x1f600); // true
 * isXmlCodePoint(0); // false
 */
export function isXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x09 ||
    cp === 0x0a ||
    cp === 0x0d ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Describes the character at `pos` for an error message: `'x'`, `U+0007` or `end of input`.
 *
 * @param s - the text
 * @param pos - the index to describe
 * @returns a short, printable description
 * @example
 * describeCharAt('a\u0007', 1); // 'U+0007'
 */
export function describeCharAt(s: string, pos: number): string {
  if (pos >= s.length) return 'end of input';
  const cp = s.codePointAt(pos) as number;
  if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp >= 0xfffe) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${String.fromCodePoint(cp)}'`;
}
