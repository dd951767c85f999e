import { scanNcName } from './xmlChars.js';

/**
 * Tells whether `name` is safe to use as an element or attribute name in a document we
 * generate.
 *
 * The rules are the XML 1.0 `Name` production narrowed the way most real parsers apply it:
 * - a Namespaces-in-XML qualified name: at most one `:`, not first or last, and the part
 *   after it starts like a name (`a:b` yes; `a:b:c`, `:a`, `a:`, `a:1` no);
 * - the first character is a letter, `_` or a non-ASCII name start character; then
 *   letters, digits, `-`, `.`, `_`, `·` and combining marks;
 * - names beginning with `xml` in any case are refused, since XML reserves them
 *   (`xml-foo`, `XmlData`, `xmlns:a`). Dependency-free, so the core client can import it.
 *
 * @param name - the candidate name
 * @returns true when the name can be written as-is
 * @example
 * isXmlName('Invoice');    // true
 * isXmlName('inv:Line');   // true
 * isXmlName('1abc');       // false
 * isXmlName('a><script');  // false
 * isXmlName('xml-foo');    // false (reserved)
 */
export function isXmlName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0) return false;
  if (name.slice(0, 3).toLowerCase() === 'xml') return false;
  let end = scanNcName(name, 0);
  if (end === 0) return false;
  if (end < name.length && name.charCodeAt(end) === 0x3a) {
    const local = end + 1;
    end = scanNcName(name, local);
    if (end === local) return false;
  }
  return end === name.length;
}
