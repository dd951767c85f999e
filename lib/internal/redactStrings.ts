/** Deeper than any answer the API layer accepts; a deeper part is left as it is. */
const MAX_DEPTH = 256;

/**
 * Every string of a JSON value (a progress, an execution) through `redact`, keys kept; the
 * value itself when no string changed, else a copy of the parts that did.
 * @param value - the value, parsed from an answer
 * @param redact - the redaction (see `redactor`)
 */
export function redactStrings<T>(value: T, redact: (text: string) => string, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, v]) => {
    const redacted = redactStrings(v, redact, depth + 1);
    if (redacted !== v) changed = true;
    return [key, redacted] as const;
  });
  if (!changed) return value;
  return (Array.isArray(value) ? entries.map(([, v]) => v) : Object.fromEntries(entries)) as T;
}
