import { catchError, type MonoTypeOperatorFunction, throwError } from 'rxjs';
import { redactError } from '../errors';
import { type Redact, redactor } from '../internal/redact';
import { redactStrings } from '../internal/redactStrings';
import type { SecretBook } from '../internal/secretBook';
import { isFailureStatus, needsUserAction } from './status';
import type { FlowStatus } from './types';

/**
 * An answer that becomes an error (a failed flow, a form under `onUserInput: 'error'`) with every
 * string redacted: its text reaches the error's message and fields. Any other answer is given
 * as it is, unread: the redaction is for error paths, never for every poll.
 * @param answer - a parsed progress or execution
 * @param redact - the client's redaction; none: the answer as it is
 */
export function redactFailed<T extends { status: FlowStatus }>(answer: T, redact: Redact | undefined): T {
  return redact && (isFailureStatus(answer.status) || needsUserAction(answer.status)) ? redactStrings(answer, redact) : answer;
}

/**
 * Errors of a call, with what the server echoed of the secrets redacted (see `redactError`).
 * @param redact - the client's redaction; none: errors pass as they are
 */
export function redactingErrors<T>(redact: Redact | undefined): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => throwError(() => (redact ? redactError(error, redact) : error)));
}

/** The redaction built for each list of secrets a book gave (a new list when a token arrives). */
const built = new WeakMap<readonly string[], Redact>();

/**
 * The redaction of a client's secrets, built at its first use and again only when the book
 * learns a new token.
 * @param book - the client's secrets; none: nothing to hide (`undefined`)
 */
export function redactionOf(book: SecretBook | undefined): Redact | undefined {
  if (!book) return undefined;
  return (text) => {
    const list = book.list();
    let redact = built.get(list);
    if (!redact) built.set(list, (redact = redactor(list)));
    return redact(text);
  };
}
