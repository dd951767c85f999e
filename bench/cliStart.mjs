// Part 7, how fast the command line starts (issue 31 item 3): dist/cli.js --help, --version and
// a `run` of a short flow against the simulator (a child process, started once), each against
// `node -e 0`, side by side: the commands take turns, round after round, and each figure is the
// median of its rounds. CPU is the child's own (user + system, read in its 'exit' event through
// a preload that writes it to fd 3, the same preload for every command); wall time is from
// spawn to exit. A `run`'s wall time holds the flow's own duration and its polls, so its target
// is on CPU only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, round, target } from './common.mjs';
import { startSimulatorChild } from './simulatorChild.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** Writes the process's CPU time (µs) to fd 3 as it exits. */
const CPU_REPORT = `process.on('exit',()=>{const c=process.cpuUsage();try{require('node:fs').writeSync(3,String(c.user+c.system))}catch{}})`;
const BARE_RUN = `const [flowId, input] = process.argv.slice(2);
const url = process.env.SMART_FLOWS_URL;
const headers = { 'X-API-Key': process.env.SMART_FLOWS_API_KEY };
const body = require('node:fs').readFileSync(input, 'utf8');
(async () => {
  const started = await fetch(url + '/api/v1/flows/executions?flowId=' + flowId, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/xml' }, body });
  const { id } = await started.json();
  for (;;) {
    const progress = await (await fetch(url + '/api/v1/flows/executions/' + id + '/progress', { headers })).json();
    if (progress.status === 'Success') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await (await fetch(url + '/api/v1/flows/executions/' + id, { headers })).json();
})();
`;
// The same run over node:http (what the command sends over since issue 31 item 3, lib/cli/httpFetch.ts):
// the least a run costs on Node without undici's start.
const BARE_HTTP_RUN = `const [flowId, input] = process.argv.slice(2);
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const url = process.env.SMART_FLOWS_URL;
const headers = { 'X-API-Key': process.env.SMART_FLOWS_API_KEY };
const body = require('node:fs').readFileSync(input, 'utf8');
const send = (path, method = 'GET', data) => new Promise((resolve, reject) => {
  const req = http.request(url + path, { method, agent, headers: data ? { ...headers, 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(data) } : headers }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    res.on('error', reject);
  });
  req.on('error', reject);
  req.end(data);
});
(async () => {
  const { id } = await send('/api/v1/flows/executions?flowId=' + flowId, 'POST', body);
  for (;;) {
    const progress = await send('/api/v1/flows/executions/' + id + '/progress');
    if (progress.status === 'Success') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await send('/api/v1/flows/executions/' + id);
})();
`;
const SHORT_FLOW = {
  id: '5f1b0000-0000-4000-8000-000000000777',
  displayName: 'Start bench flow',
  stages: [{ message: 'Writing', durationMs: 300, percentage: 50 }],
  outcome: 'Success',
};

/** One start: CPU ms of the child and wall ms, and its exit code. */
function once(preload, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', preload, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let cpu = '';
    let stderr = '';
    child.stdio[3].on('data', (d) => (cpu += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 300)}`));
      else resolve({ cpuMs: Number(cpu) / 1000, wallMs });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function runCliStartBenchmark({ quick = false } = {}) {
  const rounds = quick ? 5 : 15;
  const server = await startSimulatorChild({ flows: [SHORT_FLOW], seed: 777 });
  const env = { SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey };
  const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
  const preload = join(dir, 'cpu.cjs');
  writeFileSync(preload, CPU_REPORT);
  const input = join(dir, 'letter.xml');
  writeFileSync(input, '<Letter><To>Ann</To></Letter>\n');
  // The least any client of this server does for a run: one start, a progress GET every
  // 200 ms until the end, the execution's GET, on Node's fetch (undici) and nothing else.
  const bareRun = join(dir, 'bare-run.cjs');
  writeFileSync(bareRun, BARE_RUN);
  const bareHttpRun = join(dir, 'bare-http-run.cjs');
  writeFileSync(bareHttpRun, BARE_HTTP_RUN);
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'smart-flows --help', args: [CLI, '--help'], limit: 1.5, wallToo: true },
    { name: 'smart-flows --version', args: [CLI, '--version'], limit: 1.5, wallToo: true },
    { name: `smart-flows run <short flow>`, args: [CLI, 'run', SHORT_FLOW.id, '--input', input, '--json'], limit: 2.5 },
    { name: 'bare fetch run (no library)', args: [bareRun, SHORT_FLOW.id, input] },
    { name: 'bare node:http run (no library)', args: [bareHttpRun, SHORT_FLOW.id, input] },
  ];
  const runs = new Map(cases.map((c) => [c.name, []]));
  try {
    // One start of each, not counted (disk cache).
    for (const c of cases) await once(preload, c.args, env);
    for (let r = 0; r < rounds; r++) {
      // Alternate the order, so drift in the machine's load hits every command alike.
      for (const c of r % 2 ? [...cases].reverse() : cases) runs.get(c.name).push(await once(preload, c.args, env));
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = runs.get('node -e 0');
  const baseCpu = median(base.map((x) => x.cpuMs));
  const baseWall = median(base.map((x) => x.wallMs));
  const rows = cases.map((c) => {
    const cpuMs = median(runs.get(c.name).map((x) => x.cpuMs));
    const wallMs = median(runs.get(c.name).map((x) => x.wallMs));
    return { command: c.name, cpuMs, wallMs, cpuRatio: cpuMs / baseCpu, wallRatio: wallMs / baseWall };
  });
  const ours = rows.find((r) => r.command.startsWith('smart-flows run'));
  const bare = rows.find((r) => r.command.startsWith('bare fetch run'));
  const bareHttp = rows.find((r) => r.command.startsWith('bare node:http run'));
  printTable(`Part 7: command-line start, medians of ${rounds} rounds side by side with node -e 0 (Node ${process.version})`, rows.map((r) => ({
    command: r.command,
    'CPU ms': r.cpuMs,
    'wall ms': r.wallMs,
    'CPU ÷ node -e 0': r.cpuRatio,
    'wall ÷ node -e 0': r.wallRatio,
  })));
  const targets = cases.filter((c) => c.limit).flatMap((c) => {
    const row = rows.find((r) => r.command === c.name);
    return [
      target(`${c.name}: CPU ÷ node -e 0`, row.cpuRatio, `≤ ${c.limit}`, row.cpuRatio <= c.limit),
      ...(c.wallToo ? [target(`${c.name}: wall time ÷ node -e 0`, row.wallRatio, `≤ ${c.limit}`, row.wallRatio <= c.limit)] : []),
    ];
  });
  // Not a target of the issue: what a run costs beside the least a run can cost on this Node.
  targets.push(target('bare fetch run: CPU ÷ node -e 0 (undici loads at the first fetch)', bare.cpuRatio, 'info', true));
  targets.push(target('bare node:http run: CPU ÷ node -e 0 (the floor under the run target)', bareHttp.cpuRatio, 'info', true));
  targets.push(target('smart-flows run: CPU ÷ bare node:http run', ours.cpuMs / bareHttp.cpuMs, 'info', true));
  printTable('Part 7 targets', targets);
  return {
    setup: {
      rounds,
      flow: { stages: SHORT_FLOW.stages.length, durationMs: SHORT_FLOW.stages.reduce((s, x) => s + x.durationMs, 0) },
      notes: [
        'Each round starts every command once, the order reversed every other round; figures are medians over the rounds.',
        'CPU: the child process\'s user + system time at its exit (a --require preload, the same for every command, node -e 0 included).',
        'The bare fetch run is a script with no library: the start POST, a progress GET every 200 ms until Success, the execution GET, on the global fetch (undici, which loads at the first call). The bare node:http run is the same script over node:http with a keep-alive agent, as the command sends since issue 31 item 3 (lib/cli/httpFetch.ts): the floor under a run on this Node.',
        "The run is of a one-stage flow of 300 ms on the simulator in a child process (--input of one small XML file, --json): its wall time holds the flow and its polls, so only its CPU has a target.",
      ],
    },
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
    targets,
  };
}
