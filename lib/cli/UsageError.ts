/**
 * Wrong arguments or input, found before anything was sent: the command prints the message
 * and the command's usage line, and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
