/**
 * Secrets the reliability suites use, and a scanner that looks for them everywhere an
 * error (or any object the client gives: the client itself, its options, events, snapshots)
 * could show them: message, stack, String(e), JSON.stringify(e), util.inspect with hidden
 * properties at any depth, every own property (url, body, issues…), and the whole `cause` chain.
 */
import { inspect } from 'node:util';

// Each secret holds `+`, `/`, `"` and `\` (the password also é and 日本): its URL-encoded and
// JSON-escaped forms differ from it, so a redaction that misses either form leaks something
// the scanner recognises. Headers take printable ASCII only, hence non-ASCII in the password.
/** An API key distinctive enough that any echo of it, or of its encodings, is found. */
export const SECRET_API_KEY = 'sk-live+RELIABILITY/4f9c"2e7a\\1b8d';
/** A bearer token, likewise. */
export const SECRET_BEARER_TOKEN = 'eyJhbGciOi+RELIABILITY/TOKEN"c2Vj\\cmV0';

/** A password for login tests, scanned for like the two above. */
export const SECRET_PASSWORD = 'pw-RELIABILITY-Zq8!x7#Kd2+é/日本"\\';

const SECRETS = [SECRET_API_KEY, SECRET_BEARER_TOKEN, SECRET_PASSWORD];
const WINDOW = 10;
// A fragment is enough to count as a leak (a secret cut at a length limit, or the 10 characters
// V8 quotes from a body JSON.parse refused): every 10-character window of each form is a needle.
const NEEDLES = [
  ...new Set(
    SECRETS.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]).flatMap((form) =>
      Array.from({ length: form.length - WINDOW + 1 }, (_, i) => form.slice(i, i + WINDOW)),
    ),
  ),
];

function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return typeof v === 'bigint' ? String(v) : v;
    }) ?? '';
  } catch (e) {
    return `[unserializable: ${String(e)}]`;
  }
}

function safeInspect(value: unknown): string {
  try {
    return inspect(value, { depth: Infinity, showHidden: true });
  } catch (e) {
    return `[uninspectable: ${String(e)}]`;
  }
}

/** Every text an error (or any object) exposes, labelled by where it came from. */
export function errorTexts(error: unknown, path = 'error', depth = 0, out: [string, string][] = []): [string, string][] {
  if (depth > 8) return out;
  if (typeof error !== 'object' || error === null) {
    out.push([path, String(error)]);
    return out;
  }
  const e = error as Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown };
  out.push([`${path}.message`, String(e.message)]);
  out.push([`${path}.stack`, String(e.stack)]);
  out.push([`String(${path})`, (() => { try { return String(e); } catch { return ''; } })()]);
  out.push([`JSON.stringify(${path})`, safeJson(e)]);
  out.push([`inspect(${path})`, safeInspect(e)]);
  for (const key of Object.getOwnPropertyNames(e)) {
    if (key === 'cause' || key === 'stack' || key === 'message') continue;
    const value = e[key];
    out.push([`${path}.${key}`, typeof value === 'string' ? value : safeJson(value)]);
  }
  if (e.cause !== undefined) errorTexts(e.cause, `${path}.cause`, depth + 1, out);
  return out;
}

/** True when `text` holds a secret or a 10-character piece of one. */
export const holdsSecret = (text: string): boolean => NEEDLES.some((n) => text.includes(n));

/** Where a secret appears in `error` (empty when nowhere). */
export function secretLeaks(error: unknown): string[] {
  const found: string[] = [];
  for (const [where, text] of errorTexts(error)) {
    if (holdsSecret(text)) found.push(where);
  }
  return found;
}

/** Counts the errors scanned by this process, for the suites' summaries. */
export const scanned = { errors: 0, leaks: 0, byName: {} as Record<string, number> };

/** Scans one error and records it; returns the leaks (tests expect `[]`). */
export function scanForSecrets(error: unknown): string[] {
  const leaks = secretLeaks(error);
  scanned.errors++;
  scanned.leaks += leaks.length;
  const name = (error as { name?: string })?.name ?? typeof error;
  scanned.byName[name] = (scanned.byName[name] ?? 0) + 1;
  return leaks;
}
