import { isObservable, type Observable, tap } from 'rxjs';

/**
 * The secrets one client sends, kept for redacting what servers echo of them: its fixed ones
 * (an API key, a token string) and the latest tokens a token function gave. Small on purpose:
 * it lives in the client's facade; the redaction is built from it in the lazily loaded API layer.
 */
export interface SecretBook {
  /** Adds a secret in use (a token a token function gave); cheap when already known. */
  add(secret: unknown): void;
  /** The secrets now known: a new array each time one is added (the redaction built for it is cached by it). */
  list(): readonly string[];
}

/** Tokens a token function gave that are kept for redaction: the latest few (a refresh replaces one). */
const KEPT_TOKENS = 4;

/**
 * Creates the book of one client's secrets.
 * @param fixed - the secrets known from the options; `undefined` and empty ones are ignored
 */
export function secretBook(fixed: readonly (string | undefined)[]): SecretBook {
  const known = fixed.filter((s): s is string => typeof s === 'string' && s !== '');
  const tokens: string[] = [];
  let list: readonly string[] = Object.freeze([...known]);
  return {
    add(secret) {
      if (typeof secret !== 'string' || secret === '' || list.includes(secret)) return;
      tokens.push(secret);
      if (tokens.length > KEPT_TOKENS) tokens.shift();
      list = Object.freeze([...known, ...tokens]);
    },
    list: () => list,
  };
}

/** A `bearerToken` function (see `TokenSource` in options.ts, which imports this file). */
type TokenFunction = (context: { forceRefresh: boolean }) => string | Promise<string> | Observable<string>;

/**
 * The credentials, with a token function that notes each token it gives in `book` (a string as
 * is, a promise's or an Observable's value); the same credentials without a token function.
 * @param credentials - the client's credentials
 * @param book - the client's secrets; none: the credentials as they are
 */
export function notingTokens<C extends { bearerToken?: unknown }>(credentials: C, book: SecretBook | undefined): C {
  const tokens = credentials.bearerToken as TokenFunction | string | undefined;
  if (typeof tokens !== 'function' || !book) return credentials;
  const noted: TokenFunction = (context) => {
    const value = tokens(context);
    if (typeof value === 'string') return book.add(value), value;
    if (isObservable(value)) return value.pipe(tap((token) => book.add(token)));
    return Promise.resolve(value).then((token) => (book.add(token), token));
  };
  return Object.freeze({ ...credentials, bearerToken: noted });
}
