/** The result of {@link checkXml}: the root element's name, or why the text is not XML. */
export type XmlCheckResult =
  | { ok: true; root: string }
  | { ok: false; reason: string; offset: number };

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*/y;
const SPACE = /[ \t\r\n]*/y;
const REFERENCE = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const ATTRIBUTE = /([A-Za-z_:\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*)[ \t\r\n]*=[ \t\r\n]*("[^"]*"|'[^']*')/y;

/**
 * A small, strict well-formedness check (no DTD processing): one root element, properly
 * nested and matching tags, quoted and unique attributes, known entity references.
 * The simulator uses it to refuse malformed XML with 400 as a real server would.
 *
 * @param xml - The document text.
 * @returns `{ ok: true, root }` or `{ ok: false, reason, offset }`.
 */
export function checkXml(xml: string): XmlCheckResult {
  const fail = (reason: string, offset: number): XmlCheckResult => ({ ok: false, reason, offset });
  const stack: string[] = [];
  let root: string | undefined;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;

  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(xml);
    if (!m) return undefined;
    i = re.lastIndex;
    return m[0];
  };
  const skipTo = (end: string): boolean => {
    const at = xml.indexOf(end, i);
    if (at < 0) return false;
    i = at + end.length;
    return true;
  };

  if (xml.startsWith('<?xml', i) && /[ \t\r\n?]/.test(xml[i + 5] ?? '')) {
    if (!skipTo('?>')) return fail('unterminated XML declaration', i);
  }
  while (i < xml.length) {
    const start = i;
    if (xml[i] !== '<') {
      const next = xml.indexOf('<', i);
      const text = xml.slice(i, next < 0 ? xml.length : next);
      if (stack.length === 0) {
        if (text.trim() !== '') return fail('text outside the root element', start);
      } else {
        if (text.includes(']]>')) return fail("']]>' in text", start + text.indexOf(']]>'));
        for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', amp + 1)) {
          i = start + amp;
          if (!match(REFERENCE)) return fail('bad entity reference', start + amp);
        }
      }
      i = start + text.length;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return fail('unterminated comment', start);
      if (xml.slice(i + 4, end).includes('--')) return fail("'--' inside a comment", start);
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) return fail('CDATA outside the root element', start);
      if (!skipTo(']]>')) return fail('unterminated CDATA section', start);
    } else if (xml.startsWith('<?', i)) {
      i += 2;
      const target = match(NAME);
      if (!target || target.toLowerCase() === 'xml') return fail('bad processing instruction', start);
      if (!skipTo('?>')) return fail('unterminated processing instruction', start);
    } else if (xml.startsWith('<!DOCTYPE', i)) {
      if (root !== undefined) return fail('DOCTYPE after the root element', start);
      const subset = xml.indexOf('[', i);
      const close = xml.indexOf('>', i);
      if (subset >= 0 && subset < close && !skipTo(']')) return fail('unterminated DOCTYPE', start);
      if (!skipTo('>')) return fail('unterminated DOCTYPE', start);
    } else if (xml.startsWith('</', i)) {
      i += 2;
      const name = match(NAME);
      match(SPACE);
      if (!name || xml[i] !== '>') return fail('bad end tag', start);
      i += 1;
      const open = stack.pop();
      if (open !== name) return fail(`end tag </${name}> does not match <${open ?? ''}>`, start);
    } else {
      i += 1;
      const name = match(NAME);
      if (!name) return fail('bad start tag', start);
      if (stack.length === 0) {
        if (root !== undefined) return fail('more than one root element', start);
        root = name;
      }
      const seen = new Set<string>();
      for (;;) {
        const spaced = (match(SPACE) ?? '').length > 0;
        if (xml.startsWith('/>', i)) {
          i += 2;
          break;
        }
        if (xml[i] === '>') {
          i += 1;
          stack.push(name);
          break;
        }
        const attrAt = i;
        ATTRIBUTE.lastIndex = i;
        const m = spaced ? ATTRIBUTE.exec(xml) : null;
        if (!m || m[1] === undefined || m[2] === undefined) return fail(`bad attribute in <${name}>`, attrAt);
        if (seen.has(m[1])) return fail(`duplicate attribute ${m[1]}`, attrAt);
        seen.add(m[1]);
        const value = m[2].slice(1, -1);
        if (value.includes('<')) return fail("'<' in an attribute value", attrAt);
        if (value.replace(/&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, '').includes('&')) {
          return fail('bad entity reference in an attribute', attrAt);
        }
        i = ATTRIBUTE.lastIndex;
      }
    }
  }
  if (stack.length > 0) return fail(`unclosed element <${stack[stack.length - 1] ?? ''}>`, xml.length);
  if (root === undefined) return fail('no root element', 0);
  return { ok: true, root };
}
