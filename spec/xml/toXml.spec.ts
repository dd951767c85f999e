import { describe, it, expect } from '@jest/globals';
import { parseSimple } from './parseSimple.js';
import { toXml } from '../../lib/xml/toXml.js';
import { checkXml } from '../../lib/xml/checkXml.js';
import { XmlInputError, isXmlInputError, type XmlInputErrorCode } from '../../lib/xml/XmlInputError.js';

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';

/** Calls toXml and returns the XmlInputError it throws. */
function refusal(data: object, options?: Parameters<typeof toXml>[1]): XmlInputError {
  try {
    toXml(data, options);
  } catch (error) {
    if (error instanceof XmlInputError) return error;
    throw error;
  }
  throw new Error('toXml did not throw');
}

describe('toXml', () => {
  it.each<[string, object, string]>([
    ['writes the single key as the root element', { Invoice: { Customer: 'ACME' } }, '<Invoice><Customer>ACME</Customer></Invoice>'],
    [
      'repeats an element for each array item',
      { Invoice: { Lines: { Line: [{ Amount: 3 }, { Amount: 4 }] } } },
      '<Invoice><Lines><Line><Amount>3</Amount></Line><Line><Amount>4</Amount></Line></Lines></Invoice>',
    ],
    ['writes numbers, booleans and bigints as text', { R: { N: -1.5, B: false, I: 12345678901234567890n } }, '<R><N>-1.5</N><B>false</B><I>12345678901234567890</I></R>'],
    ['writes a Date as its ISO string', { R: { At: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) } }, '<R><At>2024-01-02T03:04:05.000Z</At></R>'],
    ['writes null as an empty element', { R: { Note: null } }, '<R><Note/></R>'],
    ['writes an empty string as an empty element', { R: { Note: '' } }, '<R><Note/></R>'],
    ['omits undefined values, also inside arrays', { R: { A: undefined, L: [1, undefined, 2] } }, '<R><L>1</L><L>2</L></R>'],
    ['writes an empty array as nothing', { R: { L: [] } }, '<R/>'],
    ['writes @keys as attributes, whatever their position', { R: { A: 1, '@id': 7, '@ok': true } }, '<R id="7" ok="true"><A>1</A></R>'],
    ['writes a null attribute as empty and omits an undefined one', { R: { '@a': null, '@b': undefined } }, '<R a=""/>'],
    ['writes #text as text content', { Amount: { '@currency': 'EUR', '#text': 12.5 } }, '<Amount currency="EUR">12.5</Amount>'],
    ['keeps mixed content in key order', { P: { '#text': 'a', B: 'b' } }, '<P>a<B>b</B></P>'],
    ['writes a scalar root', { Amount: 3 }, '<Amount>3</Amount>'],
    ['writes a null root as an empty element', { Empty: null }, '<Empty/>'],
    ['escapes markup in text', { R: '<b> & ]]> "q" \'a\'' }, '<R>&lt;b&gt; &amp; ]]&gt; "q" \'a\'</R>'],
    [
      'escapes an & even where it looks like a reference',
      { R: { '@a': '&amp; &foo; &#1;', '#text': '&lt; &bar; &#0;' } },
      '<R a="&amp;amp; &amp;foo; &amp;#1;">&amp;lt; &amp;bar; &amp;#0;</R>',
    ],
    ['escapes markup and quotes in attributes', { R: { '@a': `<"'&>` } }, '<R a="&lt;&quot;\'&amp;&gt;"/>'],
    ['keeps tabs and newlines in attributes as references', { R: { '@a': 'x\ty\nz\r' } }, '<R a="x&#x9;y&#xA;z&#xD;"/>'],
    ['keeps a carriage return in text as a reference', { R: 'a\r\nb\tc' }, '<R>a&#xD;\nb\tc</R>'],
    ['writes non-ASCII names and text as they are', { Rechnung: { Straße: 'Ä 😀' } }, '<Rechnung><Straße>Ä 😀</Straße></Rechnung>'],
    [
      'accepts a prefix declared with @xmlns:prefix on an ancestor',
      { 'inv:Invoice': { '@xmlns:inv': 'urn:inv', 'inv:Line': { '@inv:no': 1 } } },
      '<inv:Invoice xmlns:inv="urn:inv"><inv:Line inv:no="1"/></inv:Invoice>',
    ],
    ['accepts @xmlns and @xml:lang', { R: { '@xmlns': 'urn:r', '@xml:lang': 'de' } }, '<R xmlns="urn:r" xml:lang="de"/>'],
    ['writes a shared (acyclic) object twice', (() => { const s = { V: 1 }; return { R: { A: s, B: s } }; })(), '<R><A><V>1</V></A><B><V>1</V></B></R>'],
    ['accepts an object without prototype', { R: Object.assign(Object.create(null) as object, { A: 1 }) }, '<R><A>1</A></R>'],
  ])('%s', (_what, data, body) => {
    const xml = toXml(data);
    expect(xml).toBe(PROLOG + body);
    expect(checkXml(xml)).toBeUndefined();
  });

  it('wraps several keys in rootName, with @keys as its attributes', () => {
    expect(toXml({ '@v': 2, A: 1, B: [2, 3] }, { rootName: 'Data' })).toBe(`${PROLOG}<Data v="2"><A>1</A><B>2</B><B>3</B></Data>`);
  });

  it('indents when pretty is true', () => {
    expect(toXml({ R: { A: 1, B: { C: null } } }, { pretty: true })).toBe(
      `${PROLOG}\n<R>\n  <A>1</A>\n  <B>\n    <C/>\n  </B>\n</R>`,
    );
  });

  it('round-trips text and attributes through a parser', () => {
    const text = 'a < b && c > d ]]> "q" \'s\' &amp; &#65; \t tab \r\n crlf \r cr \n lf 😀';
    const xml = toXml({ R: { '@a': text, T: text } });
    expect(parseSimple(xml)).toEqual({ attribute: text, text });
  });

  const cyclic: Record<string, unknown> = { A: 1 };
  cyclic.Self = cyclic;
  const cyclicArray: unknown[] = [];
  cyclicArray.push({ Again: cyclicArray });
  const deep = (levels: number): object => {
    let value: object = { Leaf: 1 };
    for (let i = 0; i < levels; i++) value = { N: value };
    return value;
  };

  it.each<[string, object, XmlInputErrorCode, string]>([
    ['markup in a key', { R: { 'a><script': 1 } }, 'INVALID_NAME', 'R["a><script"]'],
    ['a key starting with a digit', { R: { '1abc': 1 } }, 'INVALID_NAME', 'R["1abc"]'],
    ['an empty key', { R: { '': 1 } }, 'INVALID_NAME', 'R[""]'],
    ['a reserved xml- key', { R: { 'xml-foo': 1 } }, 'INVALID_NAME', 'R.xml-foo'],
    ['a key with a space', { R: { 'a b': 1 } }, 'INVALID_NAME', 'R["a b"]'],
    ['a key with two colons', { R: { 'a:b:c': 1 } }, 'INVALID_NAME', 'R["a:b:c"]'],
    ['an invalid root key', { '<R>': 1 }, 'INVALID_NAME', '["<R>"]'],
    ['markup in an attribute key', { R: { '@a="1" b': 1 } }, 'INVALID_NAME', 'R["@a=\\"1\\" b"]'],
    ['an empty attribute key', { R: { '@': 1 } }, 'INVALID_NAME', 'R["@"]'],
    ['an unknown # key', { R: { '#comment': 'x' } }, 'INVALID_NAME', 'R.#comment'],
    ['an undeclared element prefix', { R: { 'p:A': 1 } }, 'UNDECLARED_PREFIX', 'R["p:A"]'],
    ['an undeclared attribute prefix', { R: { '@p:a': 1 } }, 'UNDECLARED_PREFIX', 'R["@p:a"]'],
    ['no root key', {}, 'INVALID_ROOT', ''],
    ['several root keys', { A: 1, B: 2 }, 'INVALID_ROOT', ''],
    ['an array root', { R: [1, 2] }, 'INVALID_ROOT', 'R'],
    ['an undefined root', { R: undefined }, 'INVALID_ROOT', 'R'],
    ['an attribute as root', { '@a': 1 }, 'INVALID_NAME', '@a'],
    ['a function', { R: { F: () => 1 } }, 'UNSUPPORTED_VALUE', 'R.F'],
    ['a symbol', { R: { S: Symbol('s') } }, 'UNSUPPORTED_VALUE', 'R.S'],
    ['a symbol key', { R: { [Symbol('k')]: 1 } }, 'UNSUPPORTED_VALUE', 'R'],
    ['a Map', { R: { M: new Map([['a', 1]]) } }, 'UNSUPPORTED_VALUE', 'R.M'],
    ['a class instance', { R: { C: new (class Money {})() } }, 'UNSUPPORTED_VALUE', 'R.C'],
    ['NaN', { R: { N: Number.NaN } }, 'UNSUPPORTED_VALUE', 'R.N'],
    ['an invalid Date', { R: { D: new Date('nope') } }, 'UNSUPPORTED_VALUE', 'R.D'],
    ['an array inside an array', { R: { L: [[1]] } }, 'UNSUPPORTED_VALUE', 'R.L[0]'],
    ['an object as attribute value', { R: { '@a': { b: 1 } } }, 'UNSUPPORTED_VALUE', 'R.@a'],
    ['an array as #text', { R: { '#text': [1] } }, 'UNSUPPORTED_VALUE', 'R.#text'],
    ['a control character in text', { R: { T: 'a\u0007b' } }, 'INVALID_CHARACTER', 'R.T'],
    ['a lone surrogate in an attribute', { R: { '@a': '\uD800' } }, 'INVALID_CHARACTER', 'R.@a'],
    ['a cyclic object', { R: cyclic }, 'CYCLE', 'R.Self'],
    ['a cyclic array', { R: { L: cyclicArray } }, 'CYCLE', 'R.L[0].Again'],
    ['nesting deeper than 100', { R: deep(100) }, 'TOO_DEEP', `R${'.N'.repeat(100)}`],
    ['a non-plain data object', new Map() as object, 'INVALID_ROOT', ''],
  ])('refuses %s with an XmlInputError', (_what, data, code, path) => {
    const error = refusal(data);
    expect(error).toMatchObject({ name: 'XmlInputError', code, path });
    expect(isXmlInputError(error)).toBe(true);
    if (path !== '') expect(error.message).toContain(`(at ${path})`);
  });

  it('points at the failing array item with its index', () => {
    const error = refusal({ Invoice: { Lines: { Line: [{ Amount: 3 }, { Amount: () => 4 }] } } });
    expect(error.path).toBe('Invoice.Lines.Line[1].Amount');
    expect(error.message).toBe('A function cannot be converted to XML (at Invoice.Lines.Line[1].Amount)');
  });

  it('names the kind of non-plain object refused', () => {
    expect(refusal({ R: { S: new Set() } }).message).toMatch(/^Set cannot be converted to XML/);
  });

  it('accepts exactly maxDepth levels', () => {
    expect(checkXml(toXml({ R: deep(98) }))).toBeUndefined();
    expect(refusal({ R: deep(3) }, { maxDepth: 4 }).code).toBe('TOO_DEEP');
  });

  it('refuses a document beyond maxLength before serializing it', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    expect(refusal({ R: big })).toMatchObject({ code: 'TOO_LONG', path: 'R' });
    expect(refusal({ R: { A: 'x'.repeat(100) } }, { maxLength: 100 }).code).toBe('TOO_LONG');
  });

  it('refuses a document whose escaping makes it longer than maxLength', () => {
    const data = { R: '&'.repeat(100) };
    const length = toXml(data).length;
    expect(refusal(data, { maxLength: length - 1 }).code).toBe('TOO_LONG');
    expect(toXml(data, { maxLength: length })).toHaveLength(length);
  });

  it('builds a 5 MB document that passes checkXml', () => {
    const Line = Array.from({ length: 60_000 }, (_, i) => ({ '@no': i, Text: `Item <${i}> & more text to fill the line` }));
    const xml = toXml({ Invoice: { Lines: { Line } } });
    expect(xml.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(checkXml(xml)).toBeUndefined();
  });

  it.each<[string, object]>([
    ['an invalid rootName', { rootName: 'a b' }],
    ['a zero maxLength', { maxLength: 0 }],
    ['a fractional maxDepth', { maxDepth: 1.5 }],
  ])('refuses %s as INVALID_OPTION', (_what, options) => {
    expect(refusal({ A: 1 }, options).code).toBe('INVALID_OPTION');
  });
});
