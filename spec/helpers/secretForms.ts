/**
 * The forms a server echoes a secret in, and the needles that find any of them, for the
 * secrets specs (spec/client/secrets.spec.ts, spec/reliability/secrets.spec.ts).
 */

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const htmlNamed = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const htmlNumeric = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlHex = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
const json = (s: string) => JSON.stringify(s).slice(1, -1);
const percentLower = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const formEncoded = (s: string) => new URLSearchParams({ k: s }).toString().slice(2);
const half = (s: string) => s.slice(0, Math.max(8, Math.ceil(s.length / 2)));
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
/** Lines of `width` characters, as MIME bodies and PEM blocks wrap base64. */
const wrapped = (s: string, width: number, eol: string) => s.replace(new RegExp(`(.{${width}})(?=.)`, 'g'), `$1${eol}`);
/** 12 characters from the middle of the secret (the whole of a 12-character one). */
const middle12 = (s: string) => s.slice(Math.floor((s.length - 12) / 2), Math.floor((s.length - 12) / 2) + 12);

/** How a server writes a secret back: each encoding a secret can be echoed in. */
export const ENCODINGS: Record<string, (secret: string) => string> = {
  'as is': (s) => s,
  'JSON-escaped': json,
  'JSON-escaped twice': (s) => json(json(s)),
  'JSON with \\/': (s) => json(s).replace(/\//g, '\\/'),
  'JSON \\u-escaped': (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  'percent-encoded': encodeURIComponent,
  'percent-encoded, lower-case hex': percentLower,
  'form-encoded': formEncoded,
  'HTML-escaped': htmlNamed,
  'HTML decimal references': htmlNumeric,
  'HTML hex references': htmlHex,
  base64: b64,
  'base64 url-safe': b64url,
  'base64 of user:secret (Basic auth)': (s) => b64(`ada:${s}`),
  'base64url of user:secret': (s) => b64url(`ada:${s}`),
  'base64, cut to 16 characters': (s) => b64(s).slice(0, 16),
  'base64 of user:secret, cut at its end': (s) => b64(`ada:${s}`).slice(0, -4),
  'cut to its first 9 characters': (s) => s.slice(0, 9),
  'cut to its first half (at least 8)': half,
  'JSON-escaped, cut': (s) => json(half(s)),
  // Attack follow-up item 10 (repro-6).
  hex,
  'hex, upper-case': (s) => hex(s).toUpperCase(),
  'upper-cased': (s) => s.toUpperCase(),
  'lower-cased': (s) => s.toLowerCase(),
  'cut at both ends (one character each)': (s) => s.slice(1, Math.max(13, s.length - 1)),
  'cut to 12 characters from its middle': middle12,
  'base64 of user:secret, wrapped every 16 characters': (s) => wrapped(b64(`ada:${s}`), 16, '\n'),
  'base64, wrapped every 12 characters with CRLF': (s) => wrapped(b64(s), 12, '\r\n'),
};

/**
 * The needles: every 10-character piece of the secret, in each encoding that keeps characters
 * apart (a piece of 10 characters of the secret, encoded), and the base64 characters that hold
 * only secret bytes (for each alignment in a longer run), 12 at a time.
 */
export function needlesOf(secret: string): string[] {
  const needles = new Set<string>();
  const characterWise = Object.entries(ENCODINGS).filter(([name]) => !/base64|cut/.test(name)).map(([, encode]) => encode);
  for (let i = 0; i + 10 <= secret.length; i++) for (const encode of characterWise) needles.add(encode(secret.slice(i, i + 10)));
  const bytes = Buffer.from(secret, 'utf8');
  for (const skip of [0, 1, 2]) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    for (const core of [bytes.subarray(skip, skip + whole).toString('base64'), bytes.subarray(skip, skip + whole).toString('base64url')]) {
      for (let i = 0; i + 12 <= core.length; i += 4) needles.add(core.slice(i, i + 12));
    }
  }
  return [...needles];
}

/**
 * The needles of `secret` found in `text`, or in it without its line breaks, written or
 * JSON-escaped (base64 wrapped in lines): none, nothing of it leaked, in any form.
 */
export const leaksOf = (text: string, secret: string): string[] => {
  const joined = text.replace(/[\r\n]|\\+[rn]/g, '');
  return needlesOf(secret).filter((n) => text.includes(n) || joined.includes(n));
};
