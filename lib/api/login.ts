import { defer, finalize, map, type Observable, of, type SchedulerLike, share } from 'rxjs';
import * as z from 'zod/mini';
import { SmartFlowsResponseError } from '../errors';
import { checkCredentials, type LoginCredentials } from './checkCredentials';
import type { Send } from '../http/send';
import { endpoints } from './endpoints';
import { redactor } from '../internal/redact';
import type { SecretBook } from '../internal/secretBook';
import { redactingErrors, redactionOf } from './redaction';

// This module is the login part (see `internal/loadParts.ts`): it carries the redaction too.
export { redactionOf };

export type { LoginCredentials };

/** A token from a login, with its expiry when the server gave one. */
export interface LoginToken {
  token: string;
  /** Epoch milliseconds after which the server refuses the token. */
  expiresAtMs?: number;
}

/** A token function that logs in lazily, keeps the token and logs in again when asked to. */
export type LoginTokenSource = (context?: { forceRefresh?: boolean }) => Observable<string>;

const answerSchema = z.looseObject({
  tokens: z.array(z.looseObject({ token: z.string().check(z.minLength(1)), expiresAt: z.optional(z.nullable(z.union([z.string(), z.number()]))) })).check(z.minLength(1)),
});

/**
 * `POST /authenticate/login`, sent without credentials headers; gives `tokens[0]`. Its errors
 * hide the password in every form a server echoes it in, and the client's own `secrets`.
 */
export function loginCall(send: Send, credentials: LoginCredentials, secrets?: SecretBook): Observable<LoginToken> {
  return defer(() => {
    checkCredentials(credentials);
    const { username, password, loginContext } = credentials;
    const body = JSON.stringify({ username, password, loginContext: loginContext ?? null });
    const redact = redactionOf(secrets);
    // Built on an error only: a login that succeeds pays nothing for it.
    let hide: ((text: string) => string) | undefined;
    const hidePassword = (text: string) => (hide ??= redactor([password]))(text);
    // A login is not idempotent in the strict sense, but a refused one changed nothing; 'start' retries only those.
    return send(() => ({ method: 'POST', path: endpoints.login(), body, contentType: 'application/json', secrets: [password] }), 'start').pipe(
      map(parseLoginAnswer),
      redactingErrors(redact ? (text) => hidePassword(redact(text)) : hidePassword),
    );
  });
}

function parseLoginAnswer(body: unknown): LoginToken {
  const result = answerSchema.safeParse(body);
  if (!result.success) throw new SmartFlowsResponseError(`The login answer holds no token (tokens[0].token)`, { issues: result.error.issues });
  const first = result.data.tokens[0]!;
  const expiresAtMs = typeof first.expiresAt === 'number' ? first.expiresAt : typeof first.expiresAt === 'string' ? Date.parse(first.expiresAt) : NaN;
  return { token: first.token, ...(Number.isFinite(expiresAtMs) ? { expiresAtMs } : {}) };
}

/** Tokens this close to expiry are renewed before use, so a request does not meet a 401. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * A `bearerToken` function that logs in on first use, keeps the token until shortly before
 * it expires, and logs in again on `forceRefresh` (the client asks after a 401). Concurrent
 * requests share one login.
 */
export function loginTokenSource(login: () => Observable<LoginToken>, scheduler: Pick<SchedulerLike, 'now'>): LoginTokenSource {
  let current: LoginToken | undefined;
  let inFlight: Observable<string> | undefined;
  return (context) => {
    const fresh = current && (current.expiresAtMs === undefined || current.expiresAtMs - EXPIRY_MARGIN_MS > scheduler.now());
    if (current && fresh && !context?.forceRefresh) return of(current.token);
    if (context?.forceRefresh) current = undefined;
    inFlight ??= login().pipe(
      map((t) => {
        // An expiry already (nearly) past means the clocks disagree: rely on the 401 instead.
        const skewed = t.expiresAtMs !== undefined && t.expiresAtMs - EXPIRY_MARGIN_MS <= scheduler.now();
        current = skewed ? { token: t.token } : t;
        return t.token;
      }),
      finalize(() => {
        inFlight = undefined;
      }),
      share(),
    );
    return inFlight;
  };
}
