// Runs the packed package in another runtime against the simulator's HTTP server, started here
// by Node from the same tarball (`smart-flows-rx/testing`). RUNTIMES (comma-separated) says which:
//   deno     smoke.mjs under `deno run` (bare names mapped to npm: specifiers, nodeModulesDir manual)
//   bun      smoke.mjs under `bun`, then the smart-flows CLI run by Bun
//   workerd  worker.mjs bundled as wrangler bundles it, served by workerd through miniflare
// The binaries come from PATH (deno, bun) and MINIFLARE (the miniflare package's folder), put
// there by scripts/runtime-matrix.mjs. One `<runtime>: <check>: passed|FAILED` line a check, and
// `<runtime>: ran in N ms` after each runtime.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { startSimulatorServer } from 'smart-flows-rx/testing';

const runtimes = (process.env.RUNTIMES ?? '').split(',').filter(Boolean);
let runtime;
const letter = {
  id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b31',
  displayName: 'Letter',
  requiredRoot: 'Letter',
  stages: [
    { message: 'Merge data', durationMs: 30, percentage: 0 },
    { message: 'Render PDF', durationMs: 30, percentage: 50 },
  ],
  outcome: 'Success',
  documents: [{ displayName: 'Letter.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4 letter' }],
};
const slow = { id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b32', displayName: 'Slow', stages: [{ message: 'Wait', durationMs: 600_000, percentage: 0 }], outcome: 'Success' };

const server = await startSimulatorServer({ flows: [letter, slow] });
// What the simulator saw, for the runtime's own checks (held long polls, aborted requests, the log).
const statsServer = createServer((req, res) => {
  const { openLongPolls, abortedRequests } = server.simulator.stats;
  const requests = server.simulator.requests.map(({ path, route, status }) => ({ path, route, status }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ openLongPolls, abortedRequests, requests }));
});
await new Promise((resolve) => statsServer.listen(0, '127.0.0.1', resolve));
const env = {
  ...process.env,
  SIM_URL: server.url,
  SIM_API_KEY: server.apiKey,
  STATS_URL: `http://127.0.0.1:${statsServer.address().port}/stats`,
  LETTER_FLOW: letter.id,
  SLOW_FLOW: slow.id,
};

let failed = 0;
const report = (check, ok, detail) => {
  if (!ok) failed++;
  console.log(`${runtime}: ${check}: ${ok ? 'passed' : 'FAILED'}${detail ? ` (${detail})` : ''}`);
};

/** Runs a command to its end, at most `limitMs`; resolves to its exit code (null if killed) and output. */
function run(command, args, limitMs = 60_000, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (error) => (stderr += String(error)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The smoke script's check lines, each reported under this runtime; then whether it ended by itself. */
function reportSmoke({ code, stdout, stderr }, started) {
  for (const line of stdout.split('\n')) {
    const m = /^(.+?): (passed|FAILED)(?: \((.*)\))?$/.exec(line);
    if (m) report(m[1], m[2] === 'passed', m[3]);
    else if (line) console.log(`${runtime}: ${line}`);
  }
  report('ends by itself, nothing left running', code === 0, `exit ${code}, ${Date.now() - started} ms${code === 0 ? '' : `; stderr: ${stderr.slice(-2000)}`}`);
  // What the runtime printed besides (Deno: a DEP0040 warning for punycode, loaded through cross-fetch).
  if (code === 0) for (const line of stderr.split('\n').filter(Boolean)) console.log(`${runtime}: stderr: ${line}`);
}

if (runtimes.length === 0) report('RUNTIMES', false, 'name deno, bun or workerd');
try {
  for (runtime of runtimes) {
    const began = Date.now();
    try {
      if (runtime === 'deno' || runtime === 'bun') {
        const version = await run(runtime, ['--version']);
        console.log(`${runtime}: ${version.stdout.split('\n')[0]}`);
        const started = Date.now();
        const args = runtime === 'deno' ? ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read=.', '--allow-write=.', '--allow-sys=hostname', 'smoke.mjs'] : ['smoke.mjs'];
        reportSmoke(await run(runtime, args), started);
      }
      if (runtime === 'bun') {
        // The smart-flows command, run by Bun: Bun runs the file it is given (the bin's link to
        // dist/cli.js) itself, whatever its `#!/usr/bin/env node` line says.
        rmSync('out', { recursive: true, force: true });
        const cli = await run('bun', ['node_modules/.bin/smart-flows', 'run', letter.id, '--input', 'letter.xml', '--out', 'out', '--json'], 60_000, {
          SMART_FLOWS_URL: server.url,
          SMART_FLOWS_API_KEY: server.apiKey,
        });
        const end = cli.code === 0 ? JSON.parse(cli.stdout.trim().split('\n').at(-1)) : undefined;
        const written = existsSync('out/Letter.pdf') ? readFileSync('out/Letter.pdf', 'utf8') : undefined;
        const detail = end ? `${end.status}, ${end.documents?.map((d) => `${d.path}, ${d.bytes} bytes`).join('; ')}` : `exit ${cli.code}: ${cli.stderr.slice(-1000)}`;
        report('smart-flows run --out, run by Bun', end?.status === 'Success' && written === '%PDF-1.4 letter', detail);
      }
      if (runtime === 'workerd') {
        const { runWorker } = await import('./worker-run.mjs');
        await runWorker(env, report);
      }
    } catch (error) {
      report('harness', false, error?.stack ?? String(error));
    }
    console.log(`${runtime}: ran in ${Date.now() - began} ms`);
  }
} finally {
  statsServer.close();
  await server.close();
}
process.exitCode = failed > 0 ? 1 : 0;
