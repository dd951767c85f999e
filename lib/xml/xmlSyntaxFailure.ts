/**
 * The internal signal of the XML checker: thrown deep in the scanner, caught once by
 * `checkXml` and turned into an `XmlIssue`. Never escapes to users.
 */
export class XmlSyntaxFailure extends Error {
  override name = 'XmlSyntaxFailure';

  /**
   * @param message - what is wrong
   * @param offset - 0-based index of the problem in the checked string
   */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Stops the scan with an {@link XmlSyntaxFailure}.
 *
 * @param message - what is wrong
 * @param offset - where, as a 0-based index
 * @returns never; typed so that `return fail(...)` ends a function
 * @example
 * if (end < 0) fail('Comment is not closed', pos);
 */
export function fail(message: string, offset: number): never {
  throw new XmlSyntaxFailure(message, offset);
}

/**
 * Turns an offset into a 1-based line and column (`\n`, `\r\n` and a lone `\r` end a
 * line; columns count UTF-16 code units). Linear, used only once a problem is found.
 *
 * @param s - the text
 * @param offset - a 0-based index, at most `s.length`
 * @returns the line and column
 * @example
 * locate('a\nbc', 3); // { line: 2, column: 2 }
 */
export function locate(s: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && s.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
