#!/usr/bin/env node
// The advice of the README and the guides (docs/*.md), run as a user would: builds the package, packs it, installs the tarball
// into a scratch copy of each consumer project (its own package.json and lockfile) and runs
// the project's `npm test`. First checks that what they print is what the projects use.
// One result line per check and project; exits 1 if any fails.
// `angular20-app` (a production Angular 20 build opened in headless Chromium) runs only when named:
// it needs Debian's chromium, which .ci/run installs before running it. So do `angular22-ssr-app`
// (an `ng new --ssr` app: its Express server, then hydration in Chromium) and
// `angular22-vitest-app` (`ng test` on Vitest): Angular 22 needs Node 22.22+ or 24.15+, which
// .ci/run gives them (nodeFits below reads only `>=` ranges, so they are never run by default).
// `runtimes` (Deno, Bun, workerd) needs their binaries and RUNTIMES: scripts/runtime-matrix.mjs runs it.
//
//   node spec/consumers/run.mjs [--no-build] [--check-only] [project…]
//   scratch folder: $CONSUMERS_DIR (emptied first), default a new <os tmp>/smart-flows-rx-consumers-XXXXXX of
//   its own (outside the repo; two runs side by side no longer empty each other's), removed when every check passed
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerBlocks } from '../../scripts/printed-blocks.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = join(root, 'spec/consumers');
const PROJECTS = ['jest-cjs', 'jest-esm', 'vitest', 'node', 'msw3-node', 'msw3-jest-esm', 'msw3-jest-cjs'];
const ON_REQUEST = ['angular20-app', 'angular22-ssr-app', 'angular22-vitest-app', 'runtimes'];
/** Whether this Node meets a project's `engines.node` (only the `>=X.Y` form is used here). */
const nodeFits = (name) => {
  const range = JSON.parse(readFileSync(join(here, name, 'package.json'), 'utf8')).engines?.node ?? '>=0';
  const [major = 0, minor = 0] = (/^>=(\d+)(?:\.(\d+))?/.exec(range) ?? []).slice(1).map((v) => Number(v ?? 0));
  const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number);
  return nodeMajor > major || (nodeMajor === major && nodeMinor >= minor);
};
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const checkOnly = args.includes('--check-only');
const projects = args.filter((a) => !a.startsWith('--'));
for (const p of projects) if (![...PROJECTS, ...ON_REQUEST].includes(p)) throw new Error(`unknown project ${p}; known: ${[...PROJECTS, ...ON_REQUEST].join(', ')}`);
const scratch = process.env.CONSUMERS_DIR ?? mkdtempSync(join(tmpdir(), 'smart-flows-rx-consumers-'));

let failed = 0;
const report = (name, ok, detail) => {
  if (!ok) failed++;
  console.log(`${name}: ${ok ? 'passed' : 'FAILED'}${detail ? ` (${detail})` : ''}`);
};

/** Runs a command; its output goes to `log` (a file), or to this process's stderr. Resolves to the exit code. */
function run(command, commandArgs, cwd, log) {
  return new Promise((done) => {
    const out = log ? createWriteStream(log, { flags: 'a' }) : process.stderr;
    const child = spawn(command, commandArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('close', (code) => {
      if (log) out.end();
      done(code ?? 1);
    });
  });
}
const seconds = (since) => `${Math.round((Date.now() - since) / 1000)} s`;

// 1. README.md and the guides (docs/*.md) print exactly the files the projects use. A block
//    preceded by <!-- consumer: a/file b/file --> must equal each named file of spec/consumers
//    (found by scripts/printed-blocks.mjs, wherever it lives).
const marked = consumerBlocks(root);
const checked = new Set();
for (const { doc, files, block } of marked) {
  for (const file of files) {
    checked.add(file);
    const exists = existsSync(join(here, file));
    const same = exists && readFileSync(join(here, file), 'utf8') === block;
    report(`${doc} block = spec/consumers/${file}`, same, same ? '' : exists ? `the block in ${doc} differs from the file; make them the same` : `${doc} names a file spec/consumers does not have`);
  }
}
for (const file of ['jest-cjs/jest.config.js', 'jest-cjs/tsconfig.json', 'jest-cjs/invoice.test.ts', 'jest-esm/jest.config.js', 'jest-esm/tsconfig.json', 'jest-esm/invoice.test.ts', 'node/quickstart.mjs', 'node/tracking.mjs', 'angular20-app/src/app/letter.component.ts', 'vitest/invoice.test.ts', 'vitest/vitest.config.ts']) {
  if (!checked.has(file)) report(`printed block = spec/consumers/${file}`, false, 'no <!-- consumer: … --> block in README.md or docs/*.md names it');
}
// The same example runs in the repository's own suite.
const example = marked.find(({ files }) => files.some((f) => f.endsWith('invoice.test.ts')))?.block ?? '';
const inSuite = readFileSync(join(root, 'spec/readme/testing-entry.spec.ts'), 'utf8').endsWith(example) && example !== '';
report('printed example = spec/readme/testing-entry.spec.ts', inSuite, inSuite ? '' : 'the spec no longer ends with the printed example');

if (checkOnly) {
  if (!process.env.CONSUMERS_DIR) rmSync(scratch, { recursive: true, force: true });
  process.exit(failed > 0 ? 1 : 0);
}

// 2. Build and pack, as `npm publish` would.
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
// What the Angular apps' e2e.mjs share (../e2e-kit.mjs from each scratch copy).
cpSync(join(here, 'e2e-kit.mjs'), join(scratch, 'e2e-kit.mjs'));
if (build && (await run('npm', ['run', 'build'], root, join(scratch, 'build.log'))) !== 0) {
  report('build', false, `see ${join(scratch, 'build.log')}`);
  process.exit(1);
}
const packLog = join(scratch, 'pack.log');
// dist/ is built (just above, or by the caller of --no-build): --ignore-scripts keeps `npm pack`
// from building it again through `prepare` (43 s against 3 s here, under load).
if ((await run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], root, packLog)) !== 0) {
  report('npm pack', false, `see ${packLog}`);
  process.exit(1);
}
const tarball = join(scratch, readFileSync(packLog, 'utf8').trim().split('\n').filter((l) => l.endsWith('.tgz')).pop() ?? '');

// 3. Each project: a scratch copy, its own lockfile (npm ci), the tarball, then its npm test.
//    Installs run side by side; the tests one after another.
// By default the projects whose engines this Node meets (msw 3 needs Node 22.12, and under Jest ESM mode
// until Node 24.9, where Jest's CommonJS mode gets its require(esm)).
const chosen = projects.length > 0 ? projects : PROJECTS.filter(nodeFits);
if (projects.length === 0) for (const name of PROJECTS.filter((p) => !chosen.includes(p))) console.log(`consumer ${name}: skipped on Node ${process.versions.node} (its engines say otherwise)`);
const installs = chosen.map(async (name) => {
  const dir = join(scratch, name);
  const log = join(scratch, `${name}.log`);
  cpSync(join(here, name), dir, { recursive: true, filter: (src) => !['node_modules', 'dist', '.angular'].includes(basename(src)) });
  const started = Date.now();
  const ok =
    (await run('npm', ['ci', '--no-audit', '--no-fund'], dir, log)) === 0 &&
    (await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], dir, log)) === 0;
  return { name, dir, log, ok, installTime: seconds(started) };
});
for (const install of installs) {
  const { name, dir, log, ok, installTime } = await install;
  if (!ok) {
    report(`consumer ${name}`, false, `install failed, see ${log}`);
    continue;
  }
  const started = Date.now();
  const code = await run('npm', ['test'], dir, log);
  report(`consumer ${name}`, code === 0, `install ${installTime}, test ${seconds(started)}${code === 0 ? '' : `, exit ${code}, see ${log}`}`);
  if (code !== 0) process.stderr.write(readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'));
}
// A scratch folder of its own holds nothing worth keeping once every check passed (its logs say
// where to look when one failed).
if (failed === 0 && !process.env.CONSUMERS_DIR) rmSync(scratch, { recursive: true, force: true });
else console.log(`scratch folder kept: ${scratch}`);
process.exit(failed > 0 ? 1 : 0);
