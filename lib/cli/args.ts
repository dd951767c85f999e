import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './UsageError';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every subcommand that talks to a server takes. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  'api-key-file': { type: 'string' },
  // One line per request, retry and tracker fallback on stderr (issue 27; lib/cli/verbose.ts).
  verbose: { type: 'boolean' },
} as const satisfies OptionsConfig;

/** Options every subcommand takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * `util.parseArgs` in strict mode, with its errors turned into one-line {@link UsageError}s
 * (Node's own messages run to three lines of advice).
 */
export function parse(args: readonly string[], options: OptionsConfig): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
    // Node quotes '-i, --input <value>' or '--fast': name the long form.
    const name = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(' ')[0] ?? quoted;
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option '${name}'`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(options[name.replace(/^-+/, '')]?.type === 'boolean' || /does not take an argument/.test(message)
          ? `option '${name}' takes no value`
          : `option '${name}' needs a value`);
      default:
        throw new UsageError(message.split('\n')[0] ?? message);
    }
  }
}

/** A whole number in [min, max] from an option's text. */
export function wholeNumber(name: string, text: string | boolean | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${String(text)}'`);
  }
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as `90s`, `10m`, `1.5h` or `500ms` (a bare number is seconds), in whole ms (at least 1 when positive); `0` means none. */
export function duration(name: string, text: string | boolean | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = typeof text === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim()) : null;
  const exact = match ? Number(match[1]) * UNIT_MS[match[2] ?? 's']! : Number.NaN;
  // A positive duration below 1 ms is 1 ms, never 0 ("none").
  const ms = exact > 0 ? Math.max(1, Math.round(exact)) : exact;
  // Node turns a timer beyond 2^31-1 ms into 1 ms: refuse rather than fire at once.
  if (!Number.isFinite(ms) || ms > 2_147_483_647) throw new UsageError(`--${name} must be a duration such as 90s, 10m or 1h, got '${String(text)}'`);
  return ms;
}

/** How long `run`, `watch` and each job of `batch` wait for an execution to end unless told: one hour. */
export const DEFAULT_TIMEOUT_MS = 3_600_000;

/**
 * The timeout of a command that follows executions: `--timeout`, else `SMART_FLOWS_TIMEOUT`,
 * else {@link DEFAULT_TIMEOUT_MS}, so a command run from cron or CI always ends.
 * @returns milliseconds; 0 for none (`--timeout 0`), which the client reads the same way
 */
export function timeoutOption(values: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): number {
  const fromEnv = values.timeout === undefined && env.SMART_FLOWS_TIMEOUT !== undefined;
  let ms: number | undefined;
  try {
    ms = duration('timeout', values.timeout ?? env.SMART_FLOWS_TIMEOUT);
  } catch (error) {
    throw fromEnv ? new UsageError((error as Error).message.replace('--timeout', 'SMART_FLOWS_TIMEOUT')) : error;
  }
  return ms ?? DEFAULT_TIMEOUT_MS;
}
