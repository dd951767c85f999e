import type { create } from 'xmlbuilder2';
import { findInvalidXmlChar, describeCharAt, scanNcName } from './xmlChars.js';
import { isXmlName } from './xmlName.js';
import { XmlInputError } from './XmlInputError.js';

/** Any xmlbuilder2 node that can take child elements. */
export type XmlParent = ReturnType<typeof create>;

/** State shared by one `toXml` call. */
export interface WriteContext {
  readonly maxDepth: number;
  readonly maxLength: number;
  /** A lower bound of the output length so far, to stop huge inputs early. */
  length: number;
  /** The objects and arrays on the current path, to detect cycles (shared, acyclic references are fine). */
  readonly ancestors: Set<object>;
  /** Whether any placeholder (see `PLACEHOLDERS`) was written. */
  usedPlaceholders: boolean;
}

const RESERVED_ATTRIBUTES = new Set(['xmlns', 'xml:lang', 'xml:space', 'xml:base', 'xml:id']);

/**
 * Writes one element named `name` for `value` under `parent`, recursively.
 *
 * @param parent - the xmlbuilder2 node to append to
 * @param name - an element name already checked with `isXmlName`
 * @param value - the value (not an array: the caller repeats the element)
 * @param path - where `value` sits in the data, for error messages
 * @param depth - the nesting depth of this element, the root being 1
 * @param context - the state of this call
 * @param prefixes - namespace prefixes declared by the ancestors
 * @returns nothing; throws `XmlInputError` for unsupported data
 * @example
 * writeElement(doc, 'Invoice', { Customer: 'ACME' }, 'Invoice', 1, context, new Set());
 */
export function writeElement(
  parent: XmlParent,
  name: string,
  value: unknown,
  path: string,
  depth: number,
  context: WriteContext,
  prefixes: ReadonlySet<string>,
): void {
  if (value === undefined) return;
  if (depth > context.maxDepth) {
    throw new XmlInputError(`The data nests deeper than maxDepth (${context.maxDepth})`, { code: 'TOO_DEEP', path });
  }
  grow(context, name.length + 3, path);
  if (!isPlainObject(value)) {
    checkPrefix(name, prefixes, path);
    const element = parent.ele(name);
    if (value !== null) {
      const text = toText(value, path, context, 'element');
      if (text !== '') element.txt(text);
    }
    return;
  }
  enter(value, path, context);
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new XmlInputError('Symbol keys cannot be converted to XML', { code: 'UNSUPPORTED_VALUE', path });
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const attributes: [string, string][] = [];
  let scope = prefixes;
  for (const key of keys) {
    if (!key.startsWith('@')) continue;
    const attribute = key.slice(1);
    const attributePath = joinPath(path, key);
    const attributeValue = record[key];
    if (!isAttributeName(attribute)) {
      throw new XmlInputError(`Key ${JSON.stringify(key)} is not a valid XML attribute name`, { code: 'INVALID_NAME', path: attributePath });
    }
    if (attributeValue === undefined) continue;
    const text = attributeValue === null ? '' : toText(attributeValue, attributePath, context, 'attribute');
    if (attribute.startsWith('xmlns:')) {
      if (text === '') throw new XmlInputError('A namespace prefix cannot be bound to ""', { code: 'INVALID_NAME', path: attributePath });
      scope = new Set(scope).add(attribute.slice(6));
    }
    grow(context, attribute.length + text.length + 4, attributePath);
    attributes.push([attribute, text]);
  }
  checkPrefix(name, scope, path);
  const element = parent.ele(name);
  for (const [attribute, text] of attributes) {
    if (!attribute.startsWith('xmlns')) checkPrefix(attribute, scope, joinPath(path, `@${attribute}`));
    element.att(attribute, text);
  }
  for (const key of keys) {
    if (key.startsWith('@')) continue;
    const childPath = joinPath(path, key);
    const child = record[key];
    if (key === '#text') {
      if (child === undefined || child === null) continue;
      const text = toText(child, childPath, context, 'text');
      if (text !== '') element.txt(text);
      continue;
    }
    if (!isXmlName(key)) {
      throw new XmlInputError(`Key ${JSON.stringify(key)} is not a valid XML element name`, { code: 'INVALID_NAME', path: childPath });
    }
    if (!Array.isArray(child)) {
      writeElement(element, key, child, childPath, depth + 1, context, scope);
      continue;
    }
    enter(child, childPath, context);
    for (let index = 0; index < child.length; index++) {
      const item: unknown = child[index];
      const itemPath = `${childPath}[${index}]`;
      if (Array.isArray(item)) {
        throw new XmlInputError('Arrays inside arrays cannot be converted to XML; wrap the inner array in an object', {
          code: 'UNSUPPORTED_VALUE',
          path: itemPath,
        });
      }
      writeElement(element, key, item, itemPath, depth + 1, context, scope);
    }
    context.ancestors.delete(child);
  }
  context.ancestors.delete(value);
}

/**
 * Tells whether a value is a plain object: its prototype is `Object.prototype` (of any
 * realm) or `null`. Maps, Dates, arrays and class instances are not.
 *
 * @param value - anything
 * @returns true for `{...}` and `Object.create(null)`
 * @example
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Map()); // false
 */
export function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/**
 * Appends a key to a path: `Invoice.Customer`, or `Invoice["a b"]` when the key is not a
 * simple word.
 *
 * @param path - the path so far, `''` at the top
 * @param key - the key to append
 * @returns the longer path
 * @example
 * joinPath('Invoice', '@id'); // 'Invoice.@id'
 */
export function joinPath(path: string, key: string): string {
  if (/^[@#]?[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function isAttributeName(name: string): boolean {
  if (isXmlName(name) || RESERVED_ATTRIBUTES.has(name)) return true;
  if (!name.startsWith('xmlns:')) return false;
  const prefix = name.slice(6);
  return scanNcName(prefix, 0) === prefix.length && prefix.length > 0 && prefix.slice(0, 3).toLowerCase() !== 'xml';
}

function checkPrefix(name: string, scope: ReadonlySet<string>, path: string): void {
  const colon = name.indexOf(':');
  if (colon < 0) return;
  const prefix = name.slice(0, colon);
  if (prefix === 'xml' || scope.has(prefix)) return;
  throw new XmlInputError(`Namespace prefix '${prefix}' of '${name}' is not declared; add '@xmlns:${prefix}' to this element or an ancestor`, {
    code: 'UNDECLARED_PREFIX',
    path,
  });
}

function enter(value: object, path: string, context: WriteContext): void {
  if (context.ancestors.has(value)) {
    throw new XmlInputError('The data contains a cycle: this value contains itself', { code: 'CYCLE', path });
  }
  context.ancestors.add(value);
}

function grow(context: WriteContext, by: number, path: string): void {
  context.length += by;
  if (context.length > context.maxLength) {
    throw new XmlInputError(`The document would be longer than maxLength (${context.maxLength})`, { code: 'TOO_LONG', path });
  }
}

/** Converts a scalar to the text to write, with placeholders for whitespace that must stay references. */
function toText(value: unknown, path: string, context: WriteContext, mode: 'element' | 'text' | 'attribute'): string {
  const text = scalarText(value, path, mode !== 'element');
  const bad = findInvalidXmlChar(text);
  if (bad >= 0) {
    throw new XmlInputError(`Text contains ${describeCharAt(text, bad)} at index ${bad}, which XML 1.0 cannot represent`, {
      code: 'INVALID_CHARACTER',
      path,
    });
  }
  grow(context, text.length, path);
  const escaped = mode === 'attribute' ? text.replace(/[&\t\n\r]/g, placeholder) : text.replace(/[&\r]/g, placeholder);
  if (escaped !== text) context.usedPlaceholders = true;
  return escaped;
}

/**
 * The placeholders `toXml` turns back into `&#x9;`, `&#xA;`, `&#xD;` and `&amp;`: control
 * characters, which the data was checked not to contain and xmlbuilder2 never writes.
 */
export const PLACEHOLDERS: readonly (readonly [placeholder: string, reference: string])[] = [
  ['\u0001', '&#x9;'],
  ['\u0002', '&#xA;'],
  ['\u0003', '&#xD;'],
  ['\u0004', '&amp;'],
];

function placeholder(ch: string): string {
  return ch === '&' ? '\u0004' : ch === '\t' ? '\u0001' : ch === '\n' ? '\u0002' : '\u0003';
}

function scalarText(value: unknown, path: string, textOnly: boolean): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      throw new XmlInputError(`The number ${String(value)} cannot be converted to XML`, { code: 'UNSUPPORTED_VALUE', path });
    case 'function':
    case 'symbol':
      throw new XmlInputError(`A ${typeof value} cannot be converted to XML`, { code: 'UNSUPPORTED_VALUE', path });
  }
  if (value instanceof Date) {
    if (!Number.isNaN(value.getTime())) return value.toISOString();
    throw new XmlInputError('An invalid Date cannot be converted to XML', { code: 'UNSUPPORTED_VALUE', path });
  }
  if (textOnly && (Array.isArray(value) || isPlainObject(value))) {
    const kind = Array.isArray(value) ? 'an array' : 'an object';
    throw new XmlInputError(`Found ${kind} where text belongs (attribute values and #text take text)`, { code: 'UNSUPPORTED_VALUE', path });
  }
  throw new XmlInputError(`${describeObject(value)} cannot be converted to XML; use a plain object, an array or a primitive`, {
    code: 'UNSUPPORTED_VALUE',
    path,
  });
}

function describeObject(value: unknown): string {
  const name: unknown = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}
