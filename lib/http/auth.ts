import { from, isObservable, map, Observable, of, take } from 'rxjs';
import { SmartFlowsInputError } from '../errors';
import type { TokenSource } from '../options';

/** Resolves the auth headers for one request; a token function is asked each time. */
export function authHeaders(
  apiKey: string | undefined,
  bearerToken: TokenSource | undefined,
  forceRefresh = false,
): Observable<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers['X-API-Key'] = apiKey;
  if (bearerToken === undefined) return of(headers);
  const token$ =
    typeof bearerToken === 'string'
      ? of(bearerToken)
      : new Observable<string>((subscriber) => {
          const value = (bearerToken as (ctx: { forceRefresh: boolean }) => ReturnType<Exclude<TokenSource, string>>)({ forceRefresh });
          const source = isObservable(value) ? value : from(Promise.resolve(value));
          return source.pipe(take(1)).subscribe(subscriber);
        });
  return token$.pipe(
    map((token) => {
      if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
        throw new SmartFlowsInputError('bearerToken function must give a non-empty token string');
      }
      return { ...headers, Authorization: `Bearer ${token}` };
    }),
  );
}
