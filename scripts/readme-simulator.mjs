// Runs the README's simulator commands exactly as it prints them (`npm run simulator`, and the
// one with `--hold`), each in a shell as a reader would type it: it must start, print the URL,
// the API key the README names and the hold mode it was asked for, answer a start with that key,
// and stop on Ctrl-C (SIGINT) with exit 0. Then the other `--hold` values the README lists, on
// the same script without the build. Run by .ci/run after the build; exits 1 on any failure.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { docsText } from './printed-blocks.mjs';

// README.md and the guides (docs/*.md): the commands are checked wherever they are printed.
const readme = docsText(fileURLToPath(new URL('..', import.meta.url)));
const printed = [...new Set([...readme.matchAll(/`(npm run simulator(?: -- [^`]+)?)`/g)].map((m) => m[1]))];
if (printed.length < 2) fail(`expected the README to print \`npm run simulator\` and one with --hold, found: ${printed.join(', ')}`);
const holdLine = /`npm run simulator -- --hold [^`]+` \(or ([^)]+)\)/.exec(readme);
if (!holdLine) fail('the README no longer lists the other --hold values after the command');
const others = [...holdLine[1].matchAll(/`([^`]+)`/g)].map((m) => `node demo/simulator.mjs --hold ${m[1]}`);

/** What the `Progress :` line must say for a `--hold` value (demo/simulator.mjs's wording). */
function expectedHold(command) {
  const value = /--hold\s+(\S+)/.exec(command)?.[1] ?? 'asked';
  const [mode, ...options] = value.split(',');
  const [name, seconds] = mode.split(':');
  const opt = Object.fromEntries(options.map((o) => o.split('=')));
  if (name === 'asked') return 'held only when a positive timeout is sent';
  if (name === 'ignore') return Number(seconds ?? 30) > 0 ? `every call held up to ${seconds ?? 30} s, timeout ignored` : 'never held, timeout ignored';
  return `held up to ${seconds ?? 30} s without timeout; timeout=-1: ${opt.minusOne ?? 'none'}, timeout=0: ${opt.zero ?? 'none'}`;
}

function fail(message) {
  console.error(`readme-simulator: ${message}`);
  process.exit(1);
}

async function check(command) {
  const started = Date.now();
  const child = spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 180_000;
  while (!out.includes('Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) fail(`\`${command}\` did not start:\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  const apiKey = /API key\s*:\s*(\S+)/.exec(out)?.[1];
  const hold = /Progress\s*:\s*(.+?)\s+\(--hold\)/.exec(out)?.[1];
  const shortFlow = /^\s+short\s+([0-9a-f-]{36})/m.exec(out)?.[1];
  if (!url || !shortFlow) fail(`\`${command}\` printed no URL or flows:\n${out}`);
  // The README names the key a reader puts in the example.
  if (apiKey !== 'sim-api-key') fail(`\`${command}\` printed the API key ${apiKey}, the README says sim-api-key`);
  if (hold !== expectedHold(command)) fail(`\`${command}\` says its progress calls are "${hold}", expected "${expectedHold(command)}"`);
  // The Try line of its own output: a start with the printed key.
  const res = await fetch(`${url}/api/v1/flows/executions?flowId=${shortFlow}`, { method: 'POST', headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/xml' }, body: '<Letter/>' });
  const body = await res.json().catch(() => undefined);
  if (res.status !== 200 || typeof body?.id !== 'string') fail(`\`${command}\`: the start answered ${res.status} ${JSON.stringify(body)}`);
  process.kill(-child.pid, 'SIGINT');
  const { code, signal } = await exited;
  if (!out.includes('Simulator stopped.')) fail(`\`${command}\` did not stop on Ctrl-C (exit ${code ?? signal}):\n${err}`);
  console.log(`ok  ${command}  (${hold}; started, answered a start, stopped on Ctrl-C; ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

for (const command of [...printed, ...others]) await check(command);
