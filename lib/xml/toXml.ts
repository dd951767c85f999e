import { create } from 'xmlbuilder2';
import { isXmlName } from './xmlName.js';
import { XmlInputError } from './XmlInputError.js';
import { PLACEHOLDERS, isPlainObject, joinPath, writeElement, type WriteContext } from './writeElement.js';

/**
 * The data {@link toXml} accepts: a plain object. Typed as `object` so that values of
 * your own interfaces fit; everything else is checked at run time.
 */
export type XmlInput = object;

/** Options of {@link toXml}; every field is optional. */
export interface ToXmlOptions {
  /**
   * Name of a root element wrapping `data`, so `data` may have several keys (and `@`
   * attributes for the root). Without it, `data` must have exactly one key: the root.
   * @default undefined
   */
  rootName?: string;
  /**
   * Indent with two spaces and one element per line. Adds whitespace between elements,
   * which changes the text of mixed content (an element with both `#text` and children).
   * @default false
   */
  pretty?: boolean;
  /**
   * Largest document to produce, in UTF-16 code units (characters) including the prolog.
   * Checked while walking the data, so a huge input fails before it is serialized.
   * @default 10_485_760 (10 MiB)
   */
  maxLength?: number;
  /**
   * Deepest element nesting, the root element being depth 1.
   * @default 100
   */
  maxDepth?: number;
}

const DEFAULTS = { pretty: false, maxLength: 10 * 1024 * 1024, maxDepth: 100 } as const;
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Turns a plain object into an XML 1.0 document string, built with xmlbuilder2, that
 * always passes {@link checkXml}.
 *
 * Conventions:
 * - `{ Invoice: {...} }`: the single key is the root element (or pass `rootName`);
 * - nested plain objects become child elements, in key order;
 * - arrays become repeated elements named after their key (`Line: [a, b]` → two `<Line>`);
 *   arrays inside arrays are refused;
 * - strings, finite numbers, booleans and bigints become text; a Date its ISO string;
 * - `null` becomes an empty element (`<Note/>`), `undefined` is omitted (also in arrays);
 * - a key `@name` becomes an attribute of its element (`null` → `name=""`, `undefined`
 *   omitted); `@xmlns`, `@xmlns:p` and `@xml:lang|space|base|id` are allowed too;
 * - a key `#text` becomes text content at that position;
 * - a prefixed name `p:Name` needs an `@xmlns:p` on its element or an ancestor.
 *
 * Keys that are not names per {@link isXmlName} (so no markup can be injected through
 * keys), functions, symbols, Maps and other non-plain objects, non-finite numbers,
 * cycles, characters XML 1.0 cannot carry, nesting beyond `maxDepth` and output beyond
 * `maxLength` throw an {@link XmlInputError} whose `path` points at the value. Text and
 * attribute values are escaped; tabs, line feeds and carriage returns in attributes and
 * carriage returns in text are written as character references so that they survive parsing,
 * and every `&` in the data becomes `&amp;` (xmlbuilder2 alone would keep `&amp;` or `&foo;` as is).
 *
 * @param data - a plain object, e.g. `{ Invoice: { Customer: 'ACME' } }`
 * @param options - see {@link ToXmlOptions}
 * @returns the document, starting with `<?xml version="1.0" encoding="UTF-8"?>`
 * @throws XmlInputError when the data cannot become a safe document
 * @example
 * toXml({ Invoice: { '@id': 7, Customer: 'ACME', Lines: { Line: [{ Amount: 3 }, { Amount: 4 }] } } });
 * // <?xml version="1.0" encoding="UTF-8"?><Invoice id="7"><Customer>ACME</Customer>
 * //   <Lines><Line><Amount>3</Amount></Line><Line><Amount>4</Amount></Line></Lines></Invoice>
 * //   (on one line)
 */
export function toXml(data: XmlInput, options: ToXmlOptions = {}): string {
  const { rootName, pretty, maxLength, maxDepth } = normalizeOptions(options);
  if (!isPlainObject(data)) {
    throw new XmlInputError('toXml expects a plain object such as { Invoice: { ... } }', { code: 'INVALID_ROOT', path: '' });
  }
  const context: WriteContext = { maxDepth, maxLength, length: PROLOG.length, ancestors: new Set(), usedPlaceholders: false };
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  if (rootName !== undefined) {
    writeElement(doc, rootName, data, '', 1, context, new Set());
  } else {
    const keys = Object.keys(data);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined) {
      throw new XmlInputError(
        `toXml expects exactly one root key, found ${keys.length}${keys.length ? ` (${keys.slice(0, 5).join(', ')})` : ''}; pass { rootName } to wrap several keys`,
        { code: 'INVALID_ROOT', path: '' },
      );
    }
    const value: unknown = (data as Record<string, unknown>)[key];
    const path = joinPath('', key);
    if (!isXmlName(key)) {
      throw new XmlInputError(`Root key ${JSON.stringify(key)} is not a valid XML element name`, { code: 'INVALID_NAME', path });
    }
    if (value === undefined || Array.isArray(value)) {
      throw new XmlInputError(
        `The root must be exactly one element; ${value === undefined ? 'undefined would leave none' : 'an array would make several'}`,
        { code: 'INVALID_ROOT', path },
      );
    }
    writeElement(doc, key, value, path, 1, context, new Set());
  }
  let xml = doc.end({ prettyPrint: pretty });
  // xmlbuilder2 leaves an '&' unescaped when it looks like a reference ('&amp;', '&foo;',
  // '&#1;': lost data or a broken document) and writes tabs, line feeds and carriage
  // returns raw, which a parser turns into spaces (attributes) or line feeds (a carriage
  // return in text). So writeElement hands it placeholders, swapped for references here.
  if (context.usedPlaceholders) {
    for (const [placeholder, reference] of PLACEHOLDERS) xml = xml.replaceAll(placeholder, reference);
  }
  if (xml.length > maxLength) {
    throw new XmlInputError(`The document would be ${xml.length} characters, more than maxLength (${maxLength})`, {
      code: 'TOO_LONG',
      path: '',
    });
  }
  return xml;
}

function normalizeOptions(options: ToXmlOptions): Required<Omit<ToXmlOptions, 'rootName'>> & Pick<ToXmlOptions, 'rootName'> {
  if (typeof options !== 'object' || options === null) {
    throw new XmlInputError('toXml options must be an object', { code: 'INVALID_OPTION', path: '' });
  }
  const merged = {
    rootName: options.rootName,
    pretty: options.pretty ?? DEFAULTS.pretty,
    maxLength: options.maxLength ?? DEFAULTS.maxLength,
    maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
  };
  if (merged.rootName !== undefined && !isXmlName(merged.rootName)) {
    throw new XmlInputError(`rootName ${JSON.stringify(merged.rootName)} is not a valid XML element name`, {
      code: 'INVALID_OPTION',
      path: '',
    });
  }
  for (const key of ['maxLength', 'maxDepth'] as const) {
    if (!Number.isInteger(merged[key]) || merged[key] < 1) {
      throw new XmlInputError(`${key} must be a positive integer, got ${String(merged[key])}`, { code: 'INVALID_OPTION', path: '' });
    }
  }
  return merged;
}
