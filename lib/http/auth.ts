import { catchError, defer, from, isObservable, map, type Observable, of, take, throwError, throwIfEmpty } from 'rxjs';
import { SmartFlowsAuthError, SmartFlowsError } from '../errors';
import type { TokenSource } from '../options';

const TOKEN = /^[\x21-\x7e]+$/;

/**
 * The auth headers when they are the same for every request (an API key, a token string): the
 * transport then sends them as they are, without an Observable per request. `undefined` when a
 * token function is asked at each request, or when a token string would be refused
 * ({@link authHeaders} then fails each request, saying why).
 */
export function fixedAuthHeaders(apiKey: string | undefined, bearerToken: TokenSource | undefined): Record<string, string> | undefined {
  if (bearerToken !== undefined && (typeof bearerToken !== 'string' || !TOKEN.test(bearerToken))) return undefined;
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers['X-API-Key'] = apiKey;
  if (bearerToken !== undefined) headers.Authorization = `Bearer ${bearerToken}`;
  return headers;
}

/**
 * Resolves the auth headers for one request; a token function is asked each time. A token
 * function that fails (throws, rejects, completes empty, gives no token string) is a
 * `SmartFlowsAuthError` with the failure as `cause` (the request is not sent); a Smart Flows
 * error it raises itself (a refused login of `withLogin`) is passed on as it is.
 */
export function authHeaders(
  apiKey: string | undefined,
  bearerToken: TokenSource | undefined,
  forceRefresh = false,
): Observable<Record<string, string>> {
  const fixed = fixedAuthHeaders(apiKey, bearerToken);
  if (fixed) return of(fixed);
  // A token function, or a token string that is refused below.
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers['X-API-Key'] = apiKey;
  const token$ =
    typeof bearerToken === 'string'
      ? of(bearerToken)
      : // Asked again on each subscription (each request); a throw becomes the stream's error.
        defer(() => {
          const value = (bearerToken as (ctx: { forceRefresh: boolean }) => ReturnType<Exclude<TokenSource, string>>)({ forceRefresh });
          return (isObservable(value) ? value : from(Promise.resolve(value))).pipe(take(1));
        }).pipe(
          // An Observable that completes without a token would end the request silently.
          throwIfEmpty(() => new SmartFlowsAuthError('bearerToken function gave no token (its Observable completed empty)')),
          catchError((cause: unknown) =>
            throwError(() =>
              cause instanceof SmartFlowsError ? cause : new SmartFlowsAuthError('bearerToken function failed to give a token', { cause }),
            ),
          ),
        );
  return token$.pipe(
    map((token) => {
      if (typeof token !== 'string' || !TOKEN.test(token)) {
        throw new SmartFlowsAuthError('bearerToken function must give a non-empty token string of printable characters');
      }
      return { ...headers, Authorization: `Bearer ${token}` };
    }),
  );
}
