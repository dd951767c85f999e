import {
  describeCharAt,
  findInvalidXmlChar,
  isXmlCodePoint,
  scanNcName,
} from './xmlChars.js';
import { scanXmlDeclaration } from './scanXmlDeclaration.js';
import { XmlSyntaxFailure, fail, locate } from './xmlSyntaxFailure.js';

/** Why a string is not well-formed XML, and where. */
export interface XmlIssue {
  /** What is wrong, e.g. `End tag </b> does not match start tag <a> (line 1, column 1)`. */
  readonly message: string;
  /** 1-based line of the problem (`\n`, `\r\n` and a lone `\r` each end a line). */
  readonly line: number;
  /** 1-based column of the problem, counted in UTF-16 code units. */
  readonly column: number;
  /** 0-based index into the checked string. */
  readonly offset: number;
}

const LT = 0x3c, GT = 0x3e, AMP = 0x26, SLASH = 0x2f, QUESTION = 0x3f, BANG = 0x21;
const EQ = 0x3d, QUOT = 0x22, APOS = 0x27, SEMI = 0x3b, HASH = 0x23, COLON = 0x3a;
const RSQB = 0x5d;
const PREDEFINED_ENTITIES = new Set(['lt', 'gt', 'amp', 'apos', 'quot']);

/**
 * Checks that a string is a well-formed XML 1.0 document, strictly, in one linear pass
 * and without dependencies (no regular expressions over the input, no recursion, so
 * multi-megabyte and deeply nested documents are fine).
 *
 * Refused: mismatched or unclosed tags, no root or several roots, non-whitespace text
 * outside the root, invalid names (element and attribute names must also be qualified
 * names: at most one `:`), unquoted or duplicate attributes, `<` in attribute values,
 * a bare `&` or an unknown entity (only `&lt; &gt; &amp; &apos; &quot;` and character
 * references naming allowed characters), `]]>` in text, `--` inside comments,
 * unterminated comments, CDATA sections and processing instructions, a PI target `xml`
 * anywhere but a declaration at the very start, characters not allowed in XML 1.0.
 *
 * Allowed: a byte-order mark, the XML declaration (first thing in the document),
 * comments, processing instructions, CDATA sections, prefixed names (`inv:Line`;
 * prefixes are not checked against `xmlns` declarations), both quote styles, self-closing tags.
 *
 * Any `<!DOCTYPE` is refused: a document type can declare entities, which is the door
 * to XXE and "billion laughs" attacks on whichever parser reads the XML next.
 *
 * @param xml - the text to check
 * @returns `undefined` when the document is well-formed, otherwise the first {@link XmlIssue}
 * @example
 * checkXml('<a><b/></a>');  // undefined
 * checkXml('<a></b>');      // { message: 'End tag </b> does not match start tag <a> (line 1, column 1)', line: 1, column: 4, offset: 3 }
 */
export function checkXml(xml: string): XmlIssue | undefined {
  if (typeof xml !== 'string') {
    return { message: `Expected a string, got ${xml === null ? 'null' : typeof xml}`, line: 1, column: 1, offset: 0 };
  }
  try {
    scanDocument(xml);
    return undefined;
  } catch (error) {
    if (!(error instanceof XmlSyntaxFailure)) throw error;
    const { line, column } = locate(xml, error.offset);
    return { message: error.message, line, column, offset: error.offset };
  }
}

/**
 * Tells whether a string is a well-formed XML document; {@link checkXml} says why not.
 *
 * @param xml - the text to check
 * @returns true when {@link checkXml} finds no issue
 * @example
 * isWellFormedXml('<a x="1"/>'); // true
 * isWellFormedXml('<a><b></a>'); // false
 */
export function isWellFormedXml(xml: string): boolean {
  return checkXml(xml) === undefined;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function skipWs(s: string, pos: number): number {
  let p = pos;
  while (isWs(s.charCodeAt(p))) p++;
  return p;
}

function scanDocument(s: string): void {
  const bad = findInvalidXmlChar(s);
  if (bad >= 0) fail(`Character ${describeCharAt(s, bad)} is not allowed in XML 1.0`, bad);
  const len = s.length;
  let pos = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (s.startsWith('<?xml', pos) && scanNcName(s, pos + 2) === pos + 5) pos = scanXmlDeclaration(s, pos);
  // Open elements: names and start offsets, an explicit stack so depth costs no recursion.
  const names: string[] = [];
  const starts: number[] = [];
  let rootSeen = false;
  while (pos < len) {
    const c = s.charCodeAt(pos);
    if (c === LT) {
      const next = s.charCodeAt(pos + 1);
      if (next === SLASH) {
        pos = scanEndTag(s, pos, names, starts);
      } else if (next === QUESTION) {
        pos = scanProcessingInstruction(s, pos);
      } else if (next === BANG) {
        pos = scanBang(s, pos, names.length > 0);
      } else {
        if (rootSeen && names.length === 0) fail('A document has exactly one root element; found a second one', pos);
        rootSeen = true;
        pos = scanStartTag(s, pos, names, starts);
      }
    } else if (names.length > 0) {
      pos = scanText(s, pos);
    } else if (isWs(c)) {
      pos++;
    } else {
      fail(`Text is not allowed ${rootSeen ? 'after' : 'before'} the root element; found ${describeCharAt(s, pos)}`, pos);
    }
  }
  const open = names.pop();
  if (open !== undefined) fail(`Element <${open}> is not closed`, starts.pop() as number);
  if (!rootSeen) fail('The document has no root element', len);
}

/** Reads a qualified name (`name` or `prefix:local`) and returns the index past it. */
function scanQName(s: string, pos: number, what: string): number {
  let end = scanNcName(s, pos);
  if (end === pos) fail(`Expected ${what} but found ${describeCharAt(s, pos)}`, pos);
  if (s.charCodeAt(end) === COLON) {
    const local = end + 1;
    end = scanNcName(s, local);
    if (end === local) fail(`Expected a local name after ':' in ${what}, found ${describeCharAt(s, local)}`, local);
    if (s.charCodeAt(end) === COLON) fail(`A name may contain at most one ':' (${what})`, end);
  }
  return end;
}

/** Reads a start tag; unless it is self-closing, pushes it on the open-element stack. */
function scanStartTag(s: string, pos: number, names: string[], starts: number[]): number {
  let p = scanQName(s, pos + 1, 'an element name');
  const name = s.slice(pos + 1, p);
  let seen: Set<string> | undefined;
  for (;;) {
    const before = p;
    p = skipWs(s, p);
    const c = s.charCodeAt(p);
    if (c === GT) {
      names.push(name);
      starts.push(pos);
      return p + 1;
    }
    if (c === SLASH) {
      if (s.charCodeAt(p + 1) === GT) return p + 2;
      fail(`Expected '>' after '/' in start tag <${name}>`, p + 1);
    }
    if (p >= s.length) fail(`Start tag <${name}> is not closed`, pos);
    if (p === before) fail(`Expected whitespace, '>' or '/>' in start tag <${name}>, found ${describeCharAt(s, p)}`, p);
    const attrStart = p;
    p = scanQName(s, p, `an attribute name in <${name}>`);
    const attr = s.slice(attrStart, p);
    seen ??= new Set();
    if (seen.has(attr)) fail(`Duplicate attribute '${attr}' in <${name}>`, attrStart);
    seen.add(attr);
    p = skipWs(s, p);
    if (s.charCodeAt(p) !== EQ) fail(`Expected '=' after attribute '${attr}' in <${name}>`, p);
    p = skipWs(s, p + 1);
    const quote = s.charCodeAt(p);
    if (quote !== QUOT && quote !== APOS) fail(`The value of attribute '${attr}' must be quoted`, p);
    p = scanAttributeValue(s, p + 1, quote, attr);
  }
}

function scanAttributeValue(s: string, pos: number, quote: number, attr: string): number {
  let p = pos;
  while (p < s.length) {
    const c = s.charCodeAt(p);
    if (c === quote) return p + 1;
    if (c === LT) fail(`'<' is not allowed in the value of attribute '${attr}'; escape it as &lt;`, p);
    p = c === AMP ? scanReference(s, p) : p + 1;
  }
  return fail(`The value of attribute '${attr}' is not closed`, pos - 1);
}

function scanEndTag(s: string, pos: number, names: string[], starts: number[]): number {
  const nameEnd = scanQName(s, pos + 2, 'an element name');
  const name = s.slice(pos + 2, nameEnd);
  const p = skipWs(s, nameEnd);
  if (s.charCodeAt(p) !== GT) fail(`Expected '>' to close end tag </${name}>`, p);
  const open = names.pop();
  const openedAt = starts.pop() as number;
  if (open === undefined) fail(`End tag </${name}> has no matching start tag`, pos);
  if (open !== name) {
    const at = locate(s, openedAt);
    fail(`End tag </${name}> does not match start tag <${open}> (line ${at.line}, column ${at.column})`, pos);
  }
  return p + 1;
}

function scanText(s: string, pos: number): number {
  let p = pos;
  const len = s.length;
  while (p < len) {
    const c = s.charCodeAt(p);
    if (c === LT) return p;
    if (c === AMP) {
      p = scanReference(s, p);
    } else {
      if (c === RSQB && s.startsWith(']]>', p)) fail("']]>' is not allowed in text; escape '>' as &gt;", p);
      p++;
    }
  }
  return p;
}

function scanReference(s: string, pos: number): number {
  let p = pos + 1;
  if (s.charCodeAt(p) === HASH) {
    p++;
    const hex = s.charCodeAt(p) === 0x78;
    if (hex) p++;
    const digitsStart = p;
    let value = 0;
    for (;;) {
      const digit = digitValue(s.charCodeAt(p), hex);
      if (digit < 0) break;
      value = value * (hex ? 16 : 10) + digit;
      if (value > 0x10ffff) fail('Character reference is beyond U+10FFFF', pos);
      p++;
    }
    if (p === digitsStart || s.charCodeAt(p) !== SEMI) {
      fail("Malformed character reference; expected '&#123;' or '&#x7B;'", pos);
    }
    if (!isXmlCodePoint(value)) fail(`Character reference ${s.slice(pos, p + 1)} names a character not allowed in XML 1.0`, pos);
    return p + 1;
  }
  const end = scanNcName(s, p);
  if (end === p) fail("A bare '&' is not allowed; escape it as &amp;", pos);
  const name = s.slice(p, end);
  if (s.charCodeAt(end) !== SEMI) fail(`Reference '&${name}' is missing its ';'; escape a literal '&' as &amp;`, pos);
  if (!PREDEFINED_ENTITIES.has(name)) {
    fail(`Unknown entity '&${name};': only &lt; &gt; &amp; &apos; &quot; and character references are allowed`, pos);
  }
  return end + 1;
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function scanBang(s: string, pos: number, insideRoot: boolean): number {
  if (s.startsWith('<!--', pos)) {
    const end = s.indexOf('--', pos + 4);
    if (end < 0) fail('Comment is not closed', pos);
    if (s.charCodeAt(end + 2) !== GT) fail("'--' is not allowed inside a comment", end);
    return end + 3;
  }
  if (s.startsWith('<![CDATA[', pos)) {
    if (!insideRoot) fail('A CDATA section is only allowed inside the root element', pos);
    const end = s.indexOf(']]>', pos + 9);
    if (end < 0) fail('CDATA section is not closed', pos);
    return end + 3;
  }
  if (s.startsWith('<!DOCTYPE', pos)) {
    fail('DOCTYPE declarations are refused: they can declare entities (XXE, entity expansion attacks)', pos);
  }
  return fail("Expected a comment '<!--' or a CDATA section '<![CDATA[' after '<!'", pos);
}

function scanProcessingInstruction(s: string, pos: number): number {
  const targetEnd = scanNcName(s, pos + 2);
  if (targetEnd === pos + 2) fail(`Expected a processing instruction target but found ${describeCharAt(s, pos + 2)}`, pos + 2);
  const target = s.slice(pos + 2, targetEnd);
  if (target === 'xml') fail('The XML declaration is only allowed at the very start of the document', pos);
  if (target.toLowerCase() === 'xml') fail(`Processing instruction target '${target}' is reserved`, pos);
  if (s.startsWith('?>', targetEnd)) return targetEnd + 2;
  if (!isWs(s.charCodeAt(targetEnd))) {
    fail(`Expected whitespace or '?>' after processing instruction target '${target}'`, targetEnd);
  }
  const end = s.indexOf('?>', targetEnd);
  if (end < 0) fail(`Processing instruction '${target}' is not closed`, pos);
  return end + 2;
}
