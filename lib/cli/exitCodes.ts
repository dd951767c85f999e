/** The exit codes of `smart-flows`, documented in docs/command-line.md and in `smart-flows --help`. */
export const EXIT = {
  /** Every flow ended in Success or Warning (or the command did what it was asked). */
  ok: 0,
  /** At least one flow failed (Error, Canceled, Interrupted, timed out), the server refused a request, or a journaled batch left a job `uncertain`. */
  failed: 1,
  /** Bad usage or bad input: nothing was sent. */
  usage: 2,
  /** The server could not be reached, or refused the credentials. */
  unreachable: 3,
  /**
   * A start was sent and its outcome is unknown (a timeout, a connection lost after sending, a
   * busy answer the look could not settle): the execution may exist. Look for it (`smart-flows list --flow <flowId>`) before starting again.
   */
  mayExist: 4,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM. */
  interrupted: 130,
  /** Stopped because stdout was closed (`smart-flows list | head -1`): 128 + SIGPIPE, as a shell reports a tool SIGPIPE killed. */
  stdoutClosed: 141,
} as const;
