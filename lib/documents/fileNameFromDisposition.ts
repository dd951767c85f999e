import { safeFileName } from './safeFileName';

/**
 * Reads the file name of a `Content-Disposition` header: the RFC 5987/6266 `filename*`
 * (`UTF-8''Gr%C3%BC%C3%9Fe.pdf`) wins over the plain `filename` (quoted or not).
 * Any directory part is dropped (RFC 6266 § 4.3), and the rest made one safe path segment
 * by {@link safeFileName}, so the name is safe to join to a folder.
 *
 * @param header - the header's value, or `null` when absent
 * @returns the file name, or `undefined` when the header names none
 * @example
 * fileNameFromDisposition(`attachment; filename="a.pdf"; filename*=UTF-8''%C3%A4.pdf`) // 'ä.pdf'
 */
export function fileNameFromDisposition(header: string | null | undefined): string | undefined {
  const name = rawFileNameFromDisposition(header);
  if (name === undefined) return undefined;
  const base = name.split(/[/\\]/).pop()?.trim() ?? '';
  return base === '' || base === '.' || base === '..' ? undefined : safeFileName(base, '_');
}

/**
 * The file name a `Content-Disposition` header gives, decoded but not cleaned: the server's
 * own text (a path, control characters…), to show or log, never to name a file with.
 * @param header - the header's value, or `null` when absent
 * @returns the decoded name, or `undefined` when the header names none (or an empty one)
 */
export function rawFileNameFromDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const params = parseParams(`;${header}`);
  const extended = params.get('filename*');
  const decoded = extended === undefined ? undefined : decodeExtValue(extended);
  const name = decoded ?? params.get('filename');
  return name === undefined || name === '' ? undefined : name;
}

/** Splits `type; a=1; b="x;y"` into lower-cased parameter names and unquoted values. */
function parseParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const m of header.matchAll(re)) {
    const key = m[1]!.toLowerCase();
    const raw = m[2]!.trim();
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/** Decodes `charset'lang'percent-encoded` (RFC 5987); `undefined` when malformed. */
function decodeExtValue(value: string): string | undefined {
  const m = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (!m) return undefined;
  const charset = m[1]!.toLowerCase();
  try {
    if (charset === 'utf-8' || charset === '') return decodeURIComponent(m[2]!);
    if (charset === 'iso-8859-1') {
      // Each %XX is one Latin-1 code point.
      return m[2]!.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  } catch {
    return undefined;
  }
  return undefined;
}
