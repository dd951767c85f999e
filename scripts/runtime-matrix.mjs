#!/usr/bin/env node
// The packed package under Deno, Bun and Cloudflare's workerd (issue 28): each runtime's binary
// from the npm registry, pinned, installed once into a cache folder; then spec/consumers/run.mjs
// packs the package and installs the tarball into a scratch copy of spec/consumers/runtimes,
// whose harness starts the simulator's HTTP server on Node and runs each runtime against it. One
// summary line per runtime, in the form of scripts/node-matrix.mjs:
//
//   deno 2.9.6: run, watch, runBatch, download, xml, abort: 8 passed, 0 failed, 2 s
//
//   node scripts/runtime-matrix.mjs [--runtimes=deno,bun,workerd] [--summary=FILE]
//
// --summary also appends the summary lines to that file (CI prints them with the Node matrix).
// Miniflare 4 needs Node ≥ 22: the consumer run uses Node 22 from node-matrix's cache.
// Cache: $RUNTIME_MATRIX_CACHE, default <repo>/.cache/runtimes/<name>-<version> (gitignored).
// Exit code 1 if any runtime has a failed check or did not run.
import { appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { counts, installOnce, parseArgs, registryNodeBin, run, summaryLine } from './matrix-tools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = resolve(process.env.RUNTIME_MATRIX_CACHE ?? join(root, '.cache/runtimes'));
const DENO = '2.9.6';
const BUN = '1.4.5';
const MINIFLARE = '4.20260730.0';
const WORKERD = '1.20260730.1'; // the workerd that miniflare 4.20260730.0 depends on
/** Each runtime: its packages, the file that proves the install, and how its summary names it. */
const RUNTIMES = {
  deno: {
    packages: [`deno@${DENO}`, `@deno/linux-x64-glibc@${DENO}`],
    file: 'node_modules/@deno/linux-x64-glibc/deno',
    name: `deno ${DENO}`,
    what: 'run, watch, runBatch, download, xml entry, file journal, unsubscribe aborts',
  },
  bun: {
    packages: [`@oven/bun-linux-x64@${BUN}`],
    file: 'node_modules/@oven/bun-linux-x64/bin/bun',
    name: `bun ${BUN}`,
    what: 'run, watch, runBatch, download, xml entry, file journal, unsubscribe aborts, smart-flows CLI',
  },
  workerd: {
    packages: [`miniflare@${MINIFLARE}`, `@cloudflare/workerd-linux-64@${WORKERD}`],
    file: 'node_modules/@cloudflare/workerd-linux-64/bin/workerd',
    name: `workerd ${WORKERD}, miniflare ${MINIFLARE}`,
    what: 'a Worker runs a flow, browser build, xml entry and file journal with nodejs_compat',
  },
};

const { options } = parseArgs(process.argv.slice(2));
const chosen = (options.runtimes || Object.keys(RUNTIMES).join(',')).split(',').filter(Boolean);
for (const r of chosen) if (!RUNTIMES[r]) throw new Error(`unknown runtime ${r}; known: ${Object.keys(RUNTIMES).join(', ')}`);
const matrixStarted = Date.now();

const bins = [];
const env = { RUNTIMES: '' };
const notRun = new Map();
for (const r of chosen) {
  const { packages, file } = RUNTIMES[r];
  try {
    const binary = installOnce(join(cache, `${r}-${packages[0].split('@').at(-1)}`), packages, file, 'runtime-matrix');
    if (r === 'workerd') env.MINIFLARE = join(binary.slice(0, binary.indexOf('node_modules/') + 'node_modules/'.length), 'miniflare');
    else bins.push(dirname(binary));
    env.RUNTIMES += `${env.RUNTIMES ? ',' : ''}${r}`;
  } catch (error) {
    notRun.set(r, error.message);
  }
}

// One consumer run for all: a tarball (packing builds dist/), one install, the harness runs each
// runtime in turn and prints `<runtime>: <check>: passed|FAILED` lines into its log.
const scratch = join(tmpdir(), 'smart-flows-rx-runtimes');
let log = '';
if (env.RUNTIMES) {
  try {
    const node22 = registryNodeBin('22');
    const consumer = await run([node22, ...bins], ['node', join(root, 'spec/consumers/run.mjs'), '--no-build', 'runtimes'], { ...env, CONSUMERS_DIR: scratch });
    log = consumer.output;
    try {
      log += readFileSync(join(scratch, 'runtimes.log'), 'utf8');
    } catch {
      // no log: the install failed before it; run.mjs said why
    }
  } catch (error) {
    for (const r of env.RUNTIMES.split(',')) notRun.set(r, error.message);
  }
}

const summaries = chosen.map((r) => {
  const { name, what } = RUNTIMES[r];
  if (notRun.has(r)) return { ok: false, text: `${name}: ${what}: not run (${notRun.get(r)})` };
  const lines = log.split('\n').filter((l) => l.startsWith(`${r}: `));
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const ms = Number(/^\S+: ran in (\d+) ms$/m.exec(lines.join('\n'))?.[1] ?? NaN);
  if (lines.length === 0 || Number.isNaN(ms)) return { ok: false, text: `${name}: ${what}: not run (see ${join(scratch, 'runtimes.log')})` };
  return summaryLine(name, what, counts(undefined, lines.join('\n'), 0), true, Math.round(ms / 1000));
});
console.log(`\n${summaries.map((s) => s.text).join('\n')}`);
console.log(`runtime matrix: ${Math.round((Date.now() - matrixStarted) / 1000)} s in all (install, pack, npm ci, runs)`);
if (options.summary) appendFileSync(options.summary, summaries.map((s) => `${s.text}\n`).join(''));
process.exit(summaries.every((s) => s.ok) ? 0 : 1);
