import { describe, it, expect } from '@jest/globals';
import { checkXml } from '../../../lib/testing/engine/checkXml.js';
import { caseDistinctNames, caseMismatches } from '../../xml/caseSensitiveNames.js';

describe('checkXml', () => {
  it.each([
    ['<a/>', 'a'],
    ['<?xml version="1.0" encoding="utf-8"?>\n<Invoice no="1"><Line qty=\'2\'>A &amp; B &#169; &#x41;</Line></Invoice>', 'Invoice'],
    ['\uFEFF<root><![CDATA[<not> & markup]]><!-- note --><?pi data?></root>\n', 'root'],
    ['<!DOCTYPE note [<!ELEMENT note (#PCDATA)>]><note>x</note>', 'note'],
    ['<ns:doc xmlns:ns="urn:x"><ns:item/></ns:doc>', 'ns:doc'],
  ])('accepts %j with root %s', (xml, root) => {
    expect(checkXml(xml)).toEqual({ ok: true, root });
  });

  it.each([
    ['', 'no root element'],
    ['just text', 'text outside'],
    ['<a><b></a></b>', 'does not match'],
    ['<a>', 'unclosed'],
    ['<a></a><b/>', 'more than one root'],
    ['<a x=1/>', 'bad attribute'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a>&nbsp;</a>', 'bad entity'],
    ['<a>fish & chips</a>', 'bad entity'],
    ['<a x="<"/>', "'<' in an attribute"],
    ['<a><!-- a -- b --></a>', "'--' inside"],
    ['<a></a>trailing', 'text outside'],
    ['<1a/>', 'bad start tag'],
    ['<a>]]></a>', "']]>'"],
    ['<a><?xml version="1.0"?></a>', 'processing instruction'],
    ['<a x="1"y="2"/>', 'bad attribute'],
  ])('refuses %j (%s)', (xml, reason) => {
    const result = checkXml(xml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('checkXml (simulator) treats names as case-sensitive, as the package checker does', () => {
  it.each(caseMismatches)('refuses %s at the end tag', (_what, xml, _exact, _message, offset) => {
    const result = checkXml(xml);
    expect(result).toMatchObject({ ok: false, offset });
    if (!result.ok) expect(result.reason).toMatch(/^end tag <\/.+> does not match <.+>$/);
  });

  it.each(caseMismatches)('accepts %s once the end tag repeats the name exactly', (_what, xml, exact) => {
    expect(checkXml(exact)).toEqual({ ok: true, root: /^<([^\s>/]+)/.exec(xml)?.[1] });
  });

  it.each(caseDistinctNames)('treats %s as different names', (_what, xml) => {
    expect(checkXml(xml).ok).toBe(true);
  });
});
