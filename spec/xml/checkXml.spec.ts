import { describe, it, expect } from '@jest/globals';
import { checkXml, isWellFormedXml } from '../../lib/xml/checkXml.js';
import { caseMismatches, caseDistinctNames } from './caseSensitiveNames.js';

const malformed: [string, string, RegExp][] = [
  ['a mismatched end tag', '<a></b>', /End tag <\/b> does not match start tag <a>/],
  ['a mismatched nested end tag', '<a><b></a></b>', /does not match/],
  ['an unclosed element', '<a><b></b>', /Element <a> is not closed/],
  ['an unclosed start tag', '<a', /Start tag <a> is not closed/],
  ['an end tag without a start tag', '<a></a></b>', /no matching start tag/],
  ['two root elements', '<a/><b/>', /exactly one root element/],
  ['text before the root', 'hello<a/>', /before the root element/],
  ['text after the root', '<a/>x', /after the root element/],
  ['an empty document', '', /no root element/],
  ['a document of whitespace and a comment only', '  <!-- c -->\n', /no root element/],
  ['an element name starting with a digit', '<1a/>', /Expected an element name/],
  ['an element name with two colons', '<a:b:c/>', /at most one ':'/],
  ['an element name starting with a colon', '<:a/>', /Expected an element name/],
  ['a space after <', '< a/>', /Expected an element name/],
  ['an unquoted attribute value', '<a x=1/>', /must be quoted/],
  ['an attribute without a value', '<a x/>', /Expected '=' after attribute 'x'/],
  ['a duplicate attribute', '<a x="1" x=\'2\'/>', /Duplicate attribute 'x'/],
  ['attributes without whitespace between them', '<a x="1"y="2"/>', /Expected whitespace/],
  ['an unclosed attribute value', '<a x="1/>', /is not closed/],
  ['a < in an attribute value', '<a x="a<b"/>', /'<' is not allowed in the value/],
  ['a bare & in text', '<a>AT & T</a>', /bare '&'/],
  ['a reference without ;', '<a>AT&T</a>', /missing its ';'/],
  ['a bare & in an attribute', '<a x="&"/>', /bare '&'/],
  ['an unknown entity', '<a>&nbsp;</a>', /Unknown entity '&nbsp;'/],
  ['a character reference to NUL', '<a>&#0;</a>', /not allowed in XML 1.0/],
  ['a character reference beyond U+10FFFF', '<a>&#x110000;</a>', /beyond U\+10FFFF/],
  ['a character reference to a surrogate', '<a>&#xD800;</a>', /not allowed/],
  ['an empty character reference', '<a>&#;</a>', /Malformed character reference/],
  ['a decimal reference with hex digits', '<a>&#1F;</a>', /Malformed character reference/],
  ['-- inside a comment', '<a><!-- a -- b --></a>', /'--' is not allowed inside a comment/],
  ['a comment ending in --->', '<a><!-- a ---></a>', /'--' is not allowed/],
  ['an unclosed comment', '<a><!-- a </a>', /Comment is not closed/],
  ['an unterminated CDATA section', '<a><![CDATA[x</a>', /CDATA section is not closed/],
  ['a CDATA section outside the root', '<![CDATA[x]]><a/>', /only allowed inside the root/],
  [']]> in text', '<a>x ]]> y</a>', /']]>' is not allowed in text/],
  ['an unclosed processing instruction', '<a><?pi data</a>', /'pi' is not closed/],
  ['a processing instruction without a target', '<a><? x ?></a>', /processing instruction target/],
  ['a processing instruction target glued to data', '<a><?pi"x"?></a>', /Expected whitespace or '\?>'/],
  ['a reserved XML processing instruction target', '<a><?XmL x?></a>', /reserved/],
  ['an XML declaration after whitespace', ' <?xml version="1.0"?><a/>', /only allowed at the very start/],
  ['an XML declaration after a comment', '<!-- c --><?xml version="1.0"?><a/>', /only allowed at the very start/],
  ['an XML declaration inside the root', '<a><?xml version="1.0"?></a>', /only allowed at the very start/],
  ['an XML declaration without a version', '<?xml encoding="UTF-8"?><a/>', /expected version/],
  ['an XML declaration with an unknown version', '<?xml version="2.0"?><a/>', /Invalid version "2.0"/],
  ['an XML declaration with standalone="maybe"', '<?xml version="1.0" standalone="maybe"?><a/>', /Invalid standalone/],
  ['an XML declaration with pseudo-attributes out of order', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>', /Malformed XML declaration/],
  ['a DOCTYPE (refused against XXE)', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', /DOCTYPE declarations are refused/],
  ['a DOCTYPE without internal subset', '<!DOCTYPE a SYSTEM "a.dtd"><a/>', /DOCTYPE/],
  ['an unknown <! declaration', '<a><!ELEMENT a ANY></a>', /Expected a comment/],
  ['a NUL character', '<a>\u0000</a>', /U\+0000 is not allowed/],
  ['a vertical tab', '<a>\u000B</a>', /U\+000B/],
  ['a lone high surrogate', '<a>\uD83D</a>', /U\+D83D/],
  ['a lone low surrogate', '<a>\uDE00x</a>', /U\+DE00/],
  ['U+FFFE', '<a>\uFFFE</a>', /U\+FFFE/],
  ['a / without > in a start tag', '<a / >', /Expected '>' after '\/'/],
  ['garbage in an end tag', '<a></a x>', /Expected '>' to close end tag/],
  ['a byte-order mark that is not first', ' \uFEFF<a/>', /Text is not allowed before/],
];

const wellFormed: [string, string][] = [
  ['a single empty element', '<a/>'],
  ['nested elements with text', '<a><b>text</b><c>more</c></a>'],
  ['an XML declaration with encoding and standalone', '<?xml version="1.0" encoding="UTF-8" standalone="no"?><a/>'],
  ["an XML declaration in single quotes", "<?xml version='1.1'?>\n<a/>"],
  ['a byte-order mark before the declaration', '\uFEFF<?xml version="1.0"?><a/>'],
  ['comments and processing instructions around the root', '<!-- c --><?style x?>\n<a><!-- in --></a><!-- after -->\n<?end?>'],
  ['an xml-stylesheet processing instruction', '<?xml-stylesheet href="a.xsl"?><a/>'],
  ['a CDATA section with markup inside', '<a><![CDATA[<b> & ]] > ]]></a>'],
  ['namespace prefixes on elements and attributes', '<inv:a xmlns:inv="urn:x" inv:id="1"><inv:b/></inv:a>'],
  ['attributes in both quote styles', `<a x="it's" y='say "hi"' z = "1" />`],
  ['predefined entities and character references', '<a x="&lt;&amp;&quot;">&lt;&gt;&amp;&apos;&quot;&#65;&#x1F600;&#X41;</a>'.replace('&#X41;', '&#x41;')],
  ['> in text and attributes', '<a x="1 > 0">2 > 1</a>'],
  ['non-ASCII names and text', '<Rechnung Straße="Ä"><日本>データ 😀</日本></Rechnung>'],
  ['names with dots, dashes, digits and underscores', '<_a.b-c1><d_2/></_a.b-c1>'],
  ['whitespace in end tags and CRLF line ends', '<a\r\n  x="1"\r\n>\r\n</a  >\r\n'],
  ['an empty comment', '<a><!----></a>'],
  ['a reserved-looking element name (reserved, not ill-formed)', '<xmlData/>'],
];

describe('checkXml', () => {
  it.each(malformed)('refuses %s', (_what, xml, message) => {
    const issue = checkXml(xml);
    expect(issue?.message).toMatch(message);
    expect(isWellFormedXml(xml)).toBe(false);
  });

  it.each(wellFormed)('accepts %s', (_what, xml) => {
    expect(checkXml(xml)).toBeUndefined();
    expect(isWellFormedXml(xml)).toBe(true);
  });

  describe('names are case-sensitive (XML 1.0 §2.3: an end tag repeats the start tag\'s name exactly)', () => {
    it.each(caseMismatches)('refuses %s', (_what, xml, _exact, message, offset) => {
      expect(checkXml(xml)).toMatchObject({ message, offset });
      expect(isWellFormedXml(xml)).toBe(false);
    });

    it.each(caseMismatches)('accepts %s once the end tag repeats the name exactly', (_what, _xml, exact) => {
      expect(checkXml(exact)).toBeUndefined();
    });

    it.each(caseDistinctNames)('treats %s as different names', (_what, xml) => {
      expect(checkXml(xml)).toBeUndefined();
    });
  });

  it('reports the 1-based line and column of the problem', () => {
    expect(checkXml('<a>\n  <b>\r\n  </c>\n</a>')).toEqual({
      message: 'End tag </c> does not match start tag <b> (line 2, column 3)',
      line: 3,
      column: 3,
      offset: 13,
    });
  });

  it('points at the start tag of an unclosed element', () => {
    expect(checkXml('<a>\n<b>')).toMatchObject({ message: 'Element <b> is not closed', line: 2, column: 1 });
  });

  it('answers a non-string with an issue instead of throwing', () => {
    expect(checkXml(undefined as unknown as string)?.message).toBe('Expected a string, got undefined');
  });

  it('checks a 5 MB document in one linear pass', () => {
    const line = '<Line no="1" note="a &amp; b">Some text &#x263A; <![CDATA[<raw>]]><!-- c --></Line>\n';
    const body = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    const xml = `<?xml version="1.0"?>\n<Lines>\n${body}</Lines>`;
    expect(xml.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(checkXml(xml)).toBeUndefined();
    expect(checkXml(`${xml.slice(0, -8)}</Line>`)?.message).toMatch(/does not match start tag <Lines>/);
  });

  it('handles 100,000 levels of nesting without recursion', () => {
    const depth = 100_000;
    expect(checkXml('<a>'.repeat(depth) + '</a>'.repeat(depth))).toBeUndefined();
    expect(checkXml('<a>'.repeat(depth) + '</a>'.repeat(depth - 1))?.message).toBe('Element <a> is not closed');
  });

  it('stays linear on inputs shaped to make naive scanners backtrack', () => {
    const many = 200_000;
    expect(checkXml(`<a>${'<!-- -'.repeat(many)}`)?.message).toBe("'--' is not allowed inside a comment");
    expect(checkXml(`<a ${'x'.repeat(many)}`)?.message).toMatch(/Expected '='/);
    expect(checkXml(`<a>${'&amp'.repeat(many)}</a>`)?.message).toMatch(/missing its ';'/);
    expect(checkXml(`<a>${']]'.repeat(many)}</a>`)).toBeUndefined();
  });
});
