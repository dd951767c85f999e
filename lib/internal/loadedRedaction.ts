import { withEngine } from './loadEngine';
import { withDocuments, withListings, withLoginPart, withRedaction } from './loadParts';
import type { Redact } from './redact';
import type { SecretBook } from './secretBook';

/**
 * The redaction of a client's secrets (`api/redaction.ts`) once a part that reads the server's
 * answers has loaded (the engine, documents, listings or login: each carries it) or the
 * redaction itself (`withRedaction`), `undefined` before: no answer was read then.
 * Synchronous: for `client.redactText`.
 */
export function loadedRedaction(): ((book: SecretBook | undefined) => Redact | undefined) | undefined {
  return (withRedaction.loaded ?? withEngine.loaded ?? withListings.loaded ?? withDocuments.loaded ?? withLoginPart.loaded)?.redactionOf;
}
