// The `smart-flows` executable (package.json `bin`, built to dist/cli.js with a shebang).
import { EXIT } from './exitCodes';
import { Interrupts } from './interrupts';
import { main } from './main';
import { terminalText } from './terminalText';

// A subscriber's callback that throws is reported by RxJS later, on a timer, where it would
// escape the exit code (or come after process.exit(0)): keep it, and let it make the code 1.
// Set before a command runs, when RxJS loads (`--help` and `--version` do not load it).
let unhandled: unknown;
const beforeCommand = async () => {
  const { config } = await import('rxjs');
  config.onUnhandledError = (error: unknown) => {
    unhandled ??= error;
    process.stderr.write(`smart-flows: ${terminalText(error instanceof Error ? error.message : String(error))}\n`);
  };
};

const exit = (code: number) => process.exit(interrupts.exitCode(code === 0 && unhandled !== undefined ? 1 : code));
const interrupts = new Interrupts(exit);
interrupts.install(process);
// A closed pipe (`smart-flows list | head -1`): stop quietly, as a Unix tool killed by SIGPIPE would.
// Any other write error (a full disk, EIO): say why on stderr, and stop the same way (exit 1), so
// what goes on on the server is named and a journal is left whole.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return interrupts.closeStdout(EXIT.stdoutClosed);
  if (!interrupts.stdoutClosed) process.stderr.write(`smart-flows: cannot write to standard output (${terminalText(error.code ?? error.message)}): stopping\n`);
  interrupts.closeStdout(EXIT.failed);
});
// Nowhere left to say anything: carry on without the messages.
process.stderr.on('error', () => undefined);

main({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, interrupts, beforeCommand }).then(
  async (code) => {
    // Let what was written reach pipes and files, then exit without waiting for idle keep-alive sockets.
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
    exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`smart-flows: ${terminalText(error instanceof Error ? error.message : String(error))}\n`);
    exit(1);
  },
);
