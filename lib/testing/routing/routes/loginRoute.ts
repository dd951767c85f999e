import { json } from '../responses.js';
import { bodyJson, fail, type RouteHandler } from './RouteContext.js';

/**
 * `POST /authenticate/login` with `{ username, password, loginContext }`: answers
 * `{ tokens: [{ token, scope, expiresAt }] }`; the token works as `Authorization: Bearer`
 * until `expiresAt` (ISO 8601) on the simulator's clock.
 */
export const login: RouteHandler = (ctx, req) => {
  const body = bodyJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(ctx, req, 400, 'The body must be a JSON object { username, password, loginContext }');
  }
  const { username, password } = body as Record<string, unknown>;
  const issued = ctx.auth.login(username, password);
  if (!issued) return fail(ctx, req, 401, 'Bad credentials');
  return json(200, {
    tokens: [{ token: issued.token, scope: 'api', expiresAt: new Date(issued.expiresAtMs).toISOString() }],
  });
};
