import { COMMON_OPTIONS, CONNECTION_OPTIONS, parse } from './args';
import type { Command } from './Command';
import { commands } from './commands/index';
import { EXIT } from './exitCodes';
import { Interrupts } from './interrupts';
import type { Stdin } from './readSource';
import { Terminal, type OutStream } from './Terminal';
import { terminalText } from './terminalText';
import { UsageError } from './UsageError';

declare const __SMART_FLOWS_VERSION__: string | undefined;
const VERSION = typeof __SMART_FLOWS_VERSION__ === 'string' ? __SMART_FLOWS_VERSION__ : 'dev';

/** The process around the command line (the real one in `cli.ts`, a fake one in tests). */
export interface CliProcess {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: OutStream;
  stderr: OutStream;
  stdin: Stdin;
  interrupts: Interrupts;
  /**
   * Called once before a command runs (never for `--help`, `--version` or a usage error): the
   * real process sets RxJS's `onUnhandledError` there, so RxJS loads only when a command needs it.
   */
  beforeCommand?: () => Promise<void>;
}

const GLOBAL_HELP = `smart-flows ${VERSION}: run Smart Flows document-generation flows from a terminal or a CI job

Usage: smart-flows <command> [arguments] [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'smart-flows <command> --help' for a command's arguments and options.

Environment:
  SMART_FLOWS_URL         the server, e.g. https://flows.example.com:8443 (or --url)
  SMART_FLOWS_API_KEY     the API key, sent as X-API-Key (or --api-key-file <file>)
  SMART_FLOWS_TOKEN       a bearer token, when there is no API key
  SMART_FLOWS_TIMEOUT     how long run, watch and each batch job wait for an execution
                          to end unless --timeout says (default 1h; 0 for none)
  NO_COLOR                no colour and no progress bars (neither are drawn when stderr
                          is not a terminal)
  NODE_DEBUG=smart-flows  one line per request and retry on stderr (as --verbose does)

Output: results on stdout (with --json: one JSON object a line, nothing else); messages
and progress bars on stderr. Ctrl-C stops cleanly (--cancel-on-exit also cancels what the
command started); a second Ctrl-C exits at once.

Exit codes: 0 all succeeded, 1 a flow failed or timed out (or the server refused a
request, a job's documents could not be saved, a journaled batch left a job uncertain),
2 usage error (nothing was sent), 3 server unreachable or credentials refused (nothing
started), 4 a start was sent and its outcome is unknown (an execution may exist: look
before starting again),
130 interrupted (Ctrl-C, SIGTERM), 141 stdout closed (… | head).

Try it without a server:
  smart-flows simulator            # in one terminal; prints the two exports below
  export SMART_FLOWS_URL=http://127.0.0.1:<port> SMART_FLOWS_API_KEY=sim-api-key
  echo '<Letter><To>Ann</To></Letter>' > letter.xml
  smart-flows run 5f1a0000-0000-4000-8000-000000000001 --input letter.xml --out letters/`;

/**
 * An error is about to be printed: from now on the terminal redacts the key the command line
 * knows (lib/cli/hideKnownKey.ts, loaded only then, and only when a key or token is set or a
 * key file named): a key pasted in place of another value is never printed back.
 */
async function hideKeyFrom(term: Terminal, proc: CliProcess): Promise<void> {
  const { argv, env } = proc;
  if (!env.SMART_FLOWS_API_KEY && !env.SMART_FLOWS_TOKEN && !argv.some((a) => a.startsWith('--api-key-file'))) return;
  (await import('./hideKnownKey')).hideKnownKey(term, argv, env);
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.help}`;
}

/** Runs the command line; resolves to the exit code. Never calls `process.exit` itself. */
export async function main(proc: CliProcess): Promise<number> {
  const [name, ...rest] = proc.argv;
  const json = rest.includes('--json');
  const term = new Terminal(proc.stdout, proc.stderr, { json, env: proc.env });
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? await commands.find((c) => c.name === rest[0])?.load() : undefined;
    (name === undefined ? proc.stderr : proc.stdout).write(`${topic ? commandHelp(topic) : GLOBAL_HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    proc.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    await hideKeyFrom(term, proc);
    proc.stderr.write(`smart-flows: unknown command '${terminalText(term.redacted(name))}'\nUsage: smart-flows <${commands.map((c) => c.name).join('|')}> [options]; see smart-flows --help\n`);
    return EXIT.usage;
  }
  // The command's module, and what it runs on, load now (see commands/index.ts).
  const command = await entry.load();
  try {
    const options = { ...COMMON_OPTIONS, ...(command.name === 'simulator' ? {} : CONNECTION_OPTIONS), ...command.options };
    const args = parse(rest, options);
    if (args.values.help) {
      proc.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    const { min, max, names } = command.positionals;
    if (args.positionals.length < min) throw new UsageError(`missing ${names}`);
    if (args.positionals.length > max) throw new UsageError(`unexpected argument '${args.positionals[max]}'`);
    await proc.beforeCommand?.();
    // --verbose: its printer is loaded only then, and stops with the command.
    const quiet = args.values.verbose ? (await import('./verbose')).printVerbose(term) : undefined;
    try {
      return await command.run({ args, env: proc.env, term, stdin: proc.stdin, interrupts: proc.interrupts });
    } finally {
      quiet?.();
    }
  } catch (error) {
    term.clearStatus();
    await hideKeyFrom(term, proc);
    if (error instanceof UsageError) {
      // Through the terminal, which cleans the line: a message may quote a jobs file's key.
      term.note(`smart-flows ${command.name}: ${error.message}`);
      term.note(`Usage: ${command.usage}`);
      return EXIT.usage;
    }
    // How a failure is told loads with it (it reads the client's error classes).
    const { describe, exitCodeOf } = await import('./failures');
    term.note(`smart-flows ${command.name}: ${describe(error)}`);
    return exitCodeOf(error);
  }
}
