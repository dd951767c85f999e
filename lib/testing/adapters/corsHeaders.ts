/**
 * CORS for the simulator's HTTP server, so a page of another origin (an app under `ng serve`)
 * can call it: any origin is allowed (the simulator holds nothing secret), with the methods and
 * request headers the client sends, and the answer headers the client reads made visible.
 */

/** On every answer: any origin may read it, including the headers the client looks at. */
export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Disposition, Retry-After, WWW-Authenticate, Allow',
});

/** On the answer to a preflight (`OPTIONS`): what a page of another origin may send. */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CORS_HEADERS,
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  // X-API-Key or Authorization (a JWT), Content-Type (XML or JSON bodies), Accept (binary downloads).
  'access-control-allow-headers': 'X-API-Key, Authorization, Content-Type, Accept',
  'access-control-max-age': '600',
  allow: 'GET, POST, DELETE, OPTIONS',
});
