/**
 * What kind of input {@link toXml} refused:
 * - `INVALID_ROOT`: not a plain object with exactly one root key (and no `rootName`);
 * - `INVALID_NAME`: a key that is not a usable element or attribute name;
 * - `UNDECLARED_PREFIX`: a `prefix:name` whose prefix no `@xmlns:prefix` declares;
 * - `UNSUPPORTED_VALUE`: a function, symbol, non-plain object (Map, class instance),
 *   non-finite number, invalid Date, nested array, or an object where text belongs;
 * - `INVALID_CHARACTER`: a control character or lone surrogate XML 1.0 cannot carry;
 * - `CYCLE`: an object that contains itself;
 * - `TOO_DEEP`: nesting beyond `maxDepth`;
 * - `TOO_LONG`: a document beyond `maxLength`;
 * - `INVALID_OPTION`: a bad `rootName`, `maxLength` or `maxDepth`.
 */
export type XmlInputErrorCode =
  | 'INVALID_ROOT'
  | 'INVALID_NAME'
  | 'UNDECLARED_PREFIX'
  | 'UNSUPPORTED_VALUE'
  | 'INVALID_CHARACTER'
  | 'CYCLE'
  | 'TOO_DEEP'
  | 'TOO_LONG'
  | 'INVALID_OPTION';

/**
 * Thrown by {@link toXml} when the data cannot become a safe, well-formed document.
 * `path` points into the data the way you would write it in code.
 *
 * @example
 * try {
 *   toXml({ Invoice: { 'a b': 1 } });
 * } catch (error) {
 *   if (isXmlInputError(error)) console.log(error.code, error.path); // INVALID_NAME Invoice["a b"]
 * }
 */
export class XmlInputError extends Error {
  /** Always `'XmlInputError'`; {@link isXmlInputError} checks it. */
  override name = 'XmlInputError' as const;
  /** The kind of problem. */
  readonly code: XmlInputErrorCode;
  /** Where in the data, e.g. `Invoice.Lines.Line[1]` or `Invoice.@id`; `''` for the data itself. */
  readonly path: string;

  /**
   * Creates the error; the library throws it from {@link toXml}, user code seldom needs to.
   *
   * @param message - what is wrong (the path is appended when not empty)
   * @param details - the `code`, the `path` and an optional `cause`
   */
  constructor(message: string, details: { code: XmlInputErrorCode; path: string; cause?: unknown }) {
    super(details.path === '' ? message : `${message} (at ${details.path})`, 'cause' in details ? { cause: details.cause } : undefined);
    this.code = details.code;
    this.path = details.path;
  }
}

/**
 * Tells whether a value is an {@link XmlInputError}, also across realms and duplicated
 * copies of this package (it checks `name`, not only `instanceof`).
 *
 * @param value - anything caught
 * @returns true for an XmlInputError
 * @example
 * if (isXmlInputError(error)) console.log(error.path);
 */
export function isXmlInputError(value: unknown): value is XmlInputError {
  return (
    value instanceof XmlInputError ||
    (value instanceof Error && value.name === 'XmlInputError' && typeof (value as { path?: unknown }).path === 'string')
  );
}
