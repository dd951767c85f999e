/**
 * Characters that must not reach a terminal as they are: C0 controls (ESC, BEL, `\r`,
 * backspace, `\n`…), DEL and the C1 controls (0x9b is a one-byte CSI on some terminals), the
 * bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069) and marks (U+200E,
 * U+200F, U+061C) that reorder what follows, and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * Text from elsewhere (the server, a jobs file) made safe for one line of a terminal: a tab or
 * a line break becomes a space, every other control or bidi character becomes a visible escape
 * (`\x1b`, `\u202e`), so it can neither move the cursor, set the title, clear the screen,
 * rewrite the line nor reorder it, and a reader still sees that something was there.
 * @param text - any string
 * @returns the same text when it held nothing unsafe
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : escaped(c)));
}

const UNSAFE_IN_JSON = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as one JSON line with the characters JSON.stringify leaves raw but a terminal acts on
 * (C1 controls, bidi controls, U+2028/2029) written as `\uXXXX` escapes: the same JSON value,
 * safe to show with `cat`.
 * @param redact - applied to each string of the value (the client's redaction of its secrets)
 */
export function jsonLine(value: unknown, redact?: (text: string) => string): string {
  const strings = redact ? (_key: string, v: unknown) => (typeof v === 'string' ? redact(v) : v) : undefined;
  return JSON.stringify(value, strings).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
