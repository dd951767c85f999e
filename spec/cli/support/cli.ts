import { buildSync } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processBundleOptions } from '../../helpers/processBundle';

/** Where the specs build the CLI (its dependencies inlined: see processBundleOptions). */
const CACHE = resolve(process.cwd(), 'node_modules/.cache/smart-flows-cli-spec');
const LIB = resolve(process.cwd(), 'lib');
/** Age after which a build of other sources is removed. */
const STALE_MS = 60 * 60_000;

/** The CLI built from the sources. */
export interface BuiltCli {
  file: string;
}

/** A hash of every file under lib/ (names and contents), and of how they are built. */
function sourcesHash(): string {
  const hash = createHash('sha256').update(JSON.stringify(processBundleOptions('', '')));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(LIB);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles lib/cli/cli.ts (the library sources it imports, and their dependencies) into one ESM file, so the specs
 * run the command as a user would (`node cli.js …` in a child process) on a clean clone,
 * without `npm run build` and whatever the state of dist/. Built once per state of lib/: the
 * spec files (and Jest's workers) share `cli-<hash of lib/>.mjs`; builds of other sources are
 * removed an hour later.
 */
export function buildCli(): BuiltCli {
  const name = `cli-${sourcesHash()}.mjs`;
  const file = join(CACHE, name);
  if (existsSync(file)) return { file };
  mkdirSync(CACHE, { recursive: true });
  // Written aside and renamed, so a worker never runs another worker's half-written file.
  const partial = `${file}.${process.pid}.partial`;
  buildSync({
    ...processBundleOptions(resolve(LIB, 'cli/cli.ts'), partial),
    define: { __SMART_FLOWS_VERSION__: JSON.stringify('0.0.0-spec') },
  });
  renameSync(partial, file);
  // Builds of other sources, once a run that may still use them (edits during a run) is surely over.
  const stale = Date.now() - STALE_MS;
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old);
    if (old !== name && (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? stale) < stale) rmSync(path, { recursive: true, force: true });
  }
  return { file };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** What it wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout or stderr so far matches. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CliResult>;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
}

/** A base environment without the caller's Smart Flows settings, colour or terminal. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^SMART_FLOWS_|^NO_COLOR$|^FORCE_COLOR$/.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `node cli.mjs …args` and collects what it writes. */
export function startCli(cli: BuiltCli, args: readonly string[], options: CliOptions = {}): CliRun {
  const child = spawn(process.execPath, [cli.file, ...args], { env: cleanEnv(options.env), cwd: options.cwd ?? process.cwd(), stdio: 'pipe' });
  const out = { stdout: '', stderr: '' };
  const waiters: { pattern: RegExp; stream: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out[w.stream])) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((out.stdout += chunk), check()));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((out.stderr += chunk), check()));
  child.stdin.end(options.stdin ?? '');
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, ...out }));
  });
  return {
    child,
    done,
    output: () => ({ ...out }),
    waitFor: (pattern, stream = 'stderr') =>
      new Promise<void>((resolvePromise, reject) => {
        waiters.push({ pattern, stream, resolve: resolvePromise });
        check();
        void done.then(() => reject(new Error(`the CLI ended before ${stream} matched ${pattern}:\n${out.stdout}\n${out.stderr}`)));
      }),
  };
}

/** Runs the CLI to its end. */
export function runCli(cli: BuiltCli, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(cli, args, options).done;
}

/** Parses stdout as JSON lines, failing on any line that is not a JSON object. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${line}`);
      return value as Record<string, unknown>;
    });
}
