/** What a command does on Ctrl-C: stop its work, tidy up, and give the exit code. */
export type InterruptHandler = () => Promise<void>;

/**
 * Ctrl-C (and SIGTERM) for the whole process: the first signal runs the command's handler
 * (which stops cleanly, e.g. cancels what it started, then exits 130); a second one, or a
 * signal while no handler is set, exits 130 at once.
 */
export class Interrupts {
  private handler: InterruptHandler | undefined;
  private lastWords: (() => void) | undefined;
  private stopping = false;
  /** The exit code once stdout failed: 141 for a closed pipe, 1 for any other write error. */
  private closedCode: number | undefined;

  constructor(private readonly exit: (code: number) => void) {}

  /** Listens to SIGINT and SIGTERM; returns the function that stops listening. */
  install(target: Pick<NodeJS.Process, 'on' | 'off'>): () => void {
    const onSignal = () => this.signal();
    target.on('SIGINT', onSignal);
    target.on('SIGTERM', onSignal);
    return () => {
      target.off('SIGINT', onSignal);
      target.off('SIGTERM', onSignal);
    };
  }

  /**
   * Sets what the next Ctrl-C does (replacing the previous handler), and what a second one says
   * before it exits at once (synchronously: what goes on on the server, by id).
   */
  onInterrupt(handler: InterruptHandler, lastWords?: () => void): void {
    this.handler = handler;
    this.lastWords = lastWords;
  }

  /** True once a signal arrived (or stdout was closed). */
  get interrupted(): boolean {
    return this.stopping;
  }

  /** True once stdout was closed: the command stops as on Ctrl-C, and exits 141 (see {@link exitCode}). */
  get stdoutClosed(): boolean {
    return this.closedCode !== undefined;
  }

  /** The exit code to use: once stdout failed, 141 (closed pipe) or 1 (another write error); else the command's `code`. */
  exitCode(code: number): number {
    return this.closedCode ?? code;
  }

  signal(): void {
    const handler = this.handler;
    if (this.stopping || !handler) {
      if (this.stopping) {
        try {
          this.lastWords?.();
        } catch {
          // Exiting anyway: the words were a courtesy.
        }
      }
      this.exit(this.exitCode(130));
      return;
    }
    this.stopping = true;
    handler().catch(() => this.exit(this.exitCode(130)));
  }

  /**
   * Stdout cannot be written any more: its reader went away (EPIPE: `… | head -1`, exit 141) or
   * the write failed (ENOSPC on a full disk, EIO…: exit 1). Stops as on Ctrl-C (a journaled batch
   * stays resumable, executions go on unless `--cancel-on-exit`, each named on stderr). Once only.
   * @param code - the exit code it ends with @default 141
   */
  closeStdout(code = 141): void {
    if (this.closedCode !== undefined) return;
    this.closedCode = code;
    this.signal();
  }
}
