import type { OptionsConfig, Parsed } from './args';
import type { Interrupts } from './interrupts';
import type { Stdin } from './readSource';
import type { Terminal } from './Terminal';

/** What a subcommand gets: its parsed arguments and the process around it. */
export interface CommandContext {
  args: Parsed;
  env: Record<string, string | undefined>;
  term: Terminal;
  stdin: Stdin;
  interrupts: Interrupts;
}

/**
 * A subcommand: its usage, help text, options, and what it does (resolving to the exit code).
 * Its line in the list of commands is in `commands/index.ts`, which loads it when it is used.
 */
export interface Command {
  name: string;
  /** The usage line, e.g. `smart-flows cancel <executionId>`. */
  usage: string;
  /** The rest of `--help`: arguments, options, examples. */
  help: string;
  options: OptionsConfig;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number; names: string };
  run(context: CommandContext): Promise<number>;
}

/** The help lines of the options every server command takes. */
export const CONNECTION_HELP = `Connection (from the environment, or):
  --url <url>             the server (default: $SMART_FLOWS_URL)
  --api-key-file <file>   read the API key from a file (default: $SMART_FLOWS_API_KEY,
                          else $SMART_FLOWS_TOKEN as a bearer token); never on the command line
Output:
  --json                  one JSON object a line on stdout, nothing else there
  -h, --help              this help`;
