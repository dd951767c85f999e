import { describe, it, expect } from '@jest/globals';
import { isXmlName } from '../../lib/xml/xmlName.js';

describe('isXmlName', () => {
  it.each([
    'Invoice', 'a', '_private', 'line-item', 'v1.2', 'inv:Line', 'Straße', '日本', 'a·b', 'é', 'x\u0301', 'A\u{10000}',
  ])('accepts %j', (name) => {
    expect(isXmlName(name)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['markup', 'a><script'],
    ['a leading digit', '1abc'],
    ['a leading dash', '-a'],
    ['a leading dot', '.a'],
    ['a space', 'a b'],
    ['two colons', 'a:b:c'],
    ['a leading colon', ':a'],
    ['a trailing colon', 'a:'],
    ['a local part starting with a digit', 'a:1'],
    ['the reserved prefix xml-', 'xml-foo'],
    ['the reserved prefix in another case', 'XmlData'],
    ['xmlns declarations', 'xmlns:a'],
    ['a quote', 'a"b'],
    ['an ampersand', 'a&b'],
    ['a leading #', '#text'],
    ['a leading @', '@id'],
    ['a lone surrogate', 'a\uD800'],
    ['a control character', 'a\u0001'],
    ['a non-string', 42 as unknown as string],
  ])('refuses %s', (_what, name) => {
    expect(isXmlName(name)).toBe(false);
  });
});
