import { fail } from './xmlSyntaxFailure.js';

const VERSION = /^1\.[0-9]+$/;
const ENCODING = /^[A-Za-z][A-Za-z0-9._-]*$/;

/**
 * Reads the XML declaration `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
 * at `pos`: `version` first and required, then optional `encoding` and `standalone`, in
 * that order, each preceded by whitespace. The regular expressions only ever see one
 * short, already delimited value, so they cannot backtrack over the document.
 *
 * @param s - the document
 * @param pos - the index of `<?xml`
 * @returns the index just past `?>`
 * @example
 * scanXmlDeclaration('<?xml version="1.0"?><a/>', 0); // 21
 */
export function scanXmlDeclaration(s: string, pos: number): number {
  let p = pos + 5;
  const pseudo = ['version', 'encoding', 'standalone'] as const;
  let index = 0;
  for (;;) {
    const before = p;
    while (isWs(s.charCodeAt(p))) p++;
    if (s.startsWith('?>', p)) {
      if (index === 0) fail("The XML declaration needs a version, e.g. version=\"1.0\"", p);
      return p + 2;
    }
    const name = pseudo.slice(index).find((candidate) => s.startsWith(candidate, p));
    if (name === undefined || p === before || (index === 0 && name !== 'version')) {
      const expected = index === 0 ? 'version' : pseudo.slice(index).join(', ');
      return fail(`Malformed XML declaration: expected ${expected} or '?>'`, p);
    }
    index = pseudo.indexOf(name) + 1;
    p += name.length;
    while (isWs(s.charCodeAt(p))) p++;
    if (s.charCodeAt(p) !== 0x3d) fail(`Expected '=' after '${name}' in the XML declaration`, p);
    p++;
    while (isWs(s.charCodeAt(p))) p++;
    const quote = s[p];
    if (quote !== '"' && quote !== "'") fail(`The ${name} in the XML declaration must be quoted`, p);
    const close = s.indexOf(quote, p + 1);
    if (close < 0 || close - p > 64) fail(`The ${name} in the XML declaration is not closed`, p);
    const value = s.slice(p + 1, close);
    const valid =
      name === 'version' ? VERSION.test(value) : name === 'encoding' ? ENCODING.test(value) : value === 'yes' || value === 'no';
    if (!valid) fail(`Invalid ${name} "${value}" in the XML declaration`, p + 1);
    p = close + 1;
  }
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}
