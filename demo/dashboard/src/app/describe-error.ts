/** One line for an error on the page. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
