/** What a secret, or any form of it, becomes in a redacted text (see `redact.ts`, loaded lazily). */
export const REDACTED = '[redacted]';
