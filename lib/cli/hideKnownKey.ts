import { readFileSync, statSync } from 'node:fs';
import { redactor } from '../internal/redact';
import type { Terminal } from './Terminal';

/** The longest key file read here (a key is a line; anything longer is no key file). */
const MAX_KEY_FILE = 64 * 1024;

/**
 * Before a usage or input error is printed: the terminal redacts the key and the token the
 * command line knows (`SMART_FLOWS_API_KEY`, `SMART_FLOWS_TOKEN`, the `--api-key-file` named in
 * `argv`) with the core's rule ({@link redactor}: the key in any form, or a piece of 8 characters
 * or more). A user who pasted the key where another value goes ("flowId '<key>' is not a GUID")
 * does not get it printed into a CI log. Loaded only on that path (`--help` and a command that
 * runs never load it); does nothing when no key is known.
 */
export function hideKnownKey(term: Terminal, argv: readonly string[], env: Record<string, string | undefined>): void {
  const secrets = [env.SMART_FLOWS_API_KEY, env.SMART_FLOWS_TOKEN, keyFile(argv)].filter((s): s is string => !!s?.trim());
  if (secrets.length === 0) return;
  // Trimmed too: a key file's key is read trimmed (lib/cli/connect.ts).
  const redact = redactor(secrets.flatMap((s) => [s, s.trim()]));
  term.hideSecretsOf({ redactText: redact });
}

/** The key in the file given to `--api-key-file`, when it names a small regular file (never stdin or a pipe: nothing may block here). */
function keyFile(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--api-key-file' || a.startsWith('--api-key-file='));
  const name = at < 0 ? undefined : argv[at] === '--api-key-file' ? argv[at + 1] : argv[at]!.slice('--api-key-file='.length);
  if (!name) return undefined;
  try {
    const found = statSync(name, { throwIfNoEntry: false });
    return found?.isFile() && found.size <= MAX_KEY_FILE ? readFileSync(name, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
