import type { SimulatorRouteName } from '../statsTypes.js';

/** A recognised call: which route, and the ids taken from the path. */
export interface RouteMatch {
  route: SimulatorRouteName;
  /** Which variant of the route (e.g. `skip` for `/start`), for the handlers. */
  variant?: 'skip' | 'byFlow' | 'filter';
  params: { id?: string; flowId?: string };
}

/** Which spellings of the paths the sources disagree on (cancel, document content) are served. */
export type EndpointStyle = 'both' | 'sdk' | 'guide';

type Pattern = [method: string, path: RegExp, build: (m: RegExpExecArray) => RouteMatch, only?: 'sdk' | 'guide'];

const SEGMENT = '([^/]+)';
const PATTERNS: Pattern[] = [
  ['POST', /^\/flows\/executions$/, () => ({ route: 'start', params: {} })],
  ['POST', /^\/flows\/executions\/start$/, () => ({ route: 'start', variant: 'skip', params: {} })],
  ['GET', /^\/flows\/executions$/, () => ({ route: 'list', params: {} })],
  ['POST', /^\/flows\/executions\/filter$/, () => ({ route: 'list', variant: 'filter', params: {} })],
  ['GET', new RegExp(`^/flows/${SEGMENT}/executions$`), (m) => ({ route: 'list', variant: 'byFlow', params: { flowId: m[1] } })],
  ['GET', new RegExp(`^/flows/executions/${SEGMENT}/progress$`), (m) => ({ route: 'progress', params: { id: m[1] } })],
  ['POST', new RegExp(`^/flows/executions/${SEGMENT}/progress$`), (m) => ({ route: 'userInput', params: { id: m[1] } })],
  ['DELETE', new RegExp(`^/flows/executions/${SEGMENT}/progress$`), (m) => ({ route: 'cancel', params: { id: m[1] } }), 'sdk'],
  ['GET', new RegExp(`^/flows/executions/${SEGMENT}$`), (m) => ({ route: 'execution', params: { id: m[1] } })],
  ['DELETE', new RegExp(`^/flows/executions/${SEGMENT}$`), (m) => ({ route: 'cancel', params: { id: m[1] } }), 'guide'],
  ['GET', new RegExp(`^/documents/content/${SEGMENT}$`), (m) => ({ route: 'documentContent', params: { id: m[1] } }), 'guide'],
  ['GET', new RegExp(`^/documents/${SEGMENT}/content$`), (m) => ({ route: 'documentContent', params: { id: m[1] } }), 'sdk'],
  ['GET', new RegExp(`^/documents/${SEGMENT}$`), (m) => ({ route: 'document', params: { id: m[1] } })],
  ['POST', /^\/authenticate\/login$/, () => ({ route: 'login', params: {} })],
];

/**
 * Finds the route of a path below `/api/v1`. With `style` 'sdk' or 'guide' the other
 * source's spelling of cancel and document content is not served (404, or 405 where the
 * path exists for other methods), so a client's fallback between them can be tested.
 *
 * @returns The match; `{ allowed }` when the path exists with other methods (405);
 *   `undefined` when no route has this path (404).
 */
export function matchRoute(
  method: string,
  path: string,
  style: EndpointStyle = 'both',
): RouteMatch | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const [m, re, build, only] of PATTERNS) {
    if (only && style !== 'both' && only !== style) continue;
    const found = re.exec(path);
    if (!found) continue;
    if (m === method) {
      const match = build(found);
      // Ids arrive percent-encoded; a bad escape simply stays as it is (and fails the GUID check).
      for (const key of ['id', 'flowId'] as const) {
        const raw = match.params[key];
        if (raw !== undefined) match.params[key] = safeDecode(raw);
      }
      return match;
    }
    allowed.push(m);
  }
  return allowed.length ? { allowed: [...new Set(allowed)] } : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
