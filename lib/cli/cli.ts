// The `smart-flows` executable (package.json `bin`, built to dist/cli.js with a shebang).
import { Interrupts } from './interrupts';
import { main } from './main';
import { terminalText } from './terminalText';

const exit = (code: number) => process.exit(code);
const interrupts = new Interrupts(exit);
interrupts.install(process);

main({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, interrupts }).then(
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
