// Measures issue 26's table on the installed (packed) smart-flows-rx: a server render
// (@angular/platform-server's renderApplication, JIT) of a component with
// `injectExecution({ flowId, input })`, against the simulator's HTTP server, one row per setup:
//   zoneless + withHttpClient(), zone.js + withHttpClient(), zone.js + fetch, zone.js + a flow
//   waiting for user input.
// For each: the render time (or "not stable after 5 s"), what the HTML shows, and how many flows
// the simulator saw started during the render. Each row renders in its own Node process (zone.js
// patches a process for good), killed if it hangs.
//   node measure-ssr.mjs            (in the app's folder, after `npm ci` and the tarball's install)
// Prints a Markdown table.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LIMIT_MS = 5000;
const ROWS = [
  { row: 'zoneless, `withHttpClient()`', zone: false, transport: 'httpClient', flow: 'short' },
  { row: 'zone.js, `withHttpClient()`', zone: true, transport: 'httpClient', flow: 'short' },
  { row: 'zone.js, fetch', zone: true, transport: 'fetch', flow: 'short' },
  { row: 'zone.js, a flow waiting for user input', zone: true, transport: 'httpClient', flow: 'userInput' },
];

if (process.argv[2] === '--render') await renderOne(JSON.parse(process.argv[3]), process.argv[4]);
else await measureAll();

async function measureAll() {
  const { startSimulatorServer } = await import('smart-flows-rx/testing');
  const server = await startSimulatorServer({ seed: 26 });
  const lines = ['| render of a component with `injectExecution({ flowId, input })` | render | stable | HTML shows | flows started by the server |', '|---|---|---|---|---|'];
  try {
    for (const setup of ROWS) {
      const before = server.simulator.stats.executionsStarted;
      const result = await inChild(setup, server.url);
      // A render that never ended may still have its start in flight: count after it is killed.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = server.simulator.stats.executionsStarted - before;
      lines.push(`| ${setup.row} | ${result.ms === undefined ? '—' : `${result.ms} ms`} | ${result.stable ? 'yes' : `**no** (not stable after ${LIMIT_MS / 1000} s)`} | ${result.shows ?? '—'} | ${started} |`);
    }
  } finally {
    await server.close();
  }
  const { version } = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(new URL('./node_modules/@angular/core/package.json', import.meta.url), 'utf8')));
  console.log(`Angular ${version}, Node ${process.versions.node}, ${new Date().toISOString()}\n`);
  console.log(lines.join('\n'));
}

/** Renders one row in a child process; resolves with what it printed, or "not stable" when it had to be killed. */
function inChild(setup, baseUrl) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--render', JSON.stringify(setup), baseUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS + 3000);
    child.on('close', () => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve(line ? JSON.parse(line) : { stable: false });
    });
  });
}

async function renderOne(setup, baseUrl) {
  if (setup.zone) await import('zone.js/node');
  await import('@angular/compiler');
  const { Component, provideZoneChangeDetection, provideZonelessChangeDetection } = await import('@angular/core');
  const { provideHttpClient, withFetch } = await import('@angular/common/http');
  const { bootstrapApplication } = await import('@angular/platform-browser');
  const { renderApplication } = await import('@angular/platform-server');
  const { injectExecution, provideSmartFlows, withHttpClient } = await import('smart-flows-rx/angular');
  const { builtInFlows, SIMULATOR_API_KEY } = await import('smart-flows-rx/testing');

  const flowId = builtInFlows[setup.flow].id;
  const App = Component({
    selector: 'app-root',
    template: `<span class="status">{{ letter.status() ?? 'Starting' }}</span> <span class="pct">{{ letter.percentage() }} %</span>`,
  })(
    class {
      letter = injectExecution({ flowId, input: '<Letter/>' });
    },
  );
  const providers = [
    setup.zone ? provideZoneChangeDetection() : provideZonelessChangeDetection(),
    provideHttpClient(withFetch()),
    setup.transport === 'httpClient'
      ? provideSmartFlows({ baseUrl, apiKey: SIMULATOR_API_KEY }, withHttpClient())
      : provideSmartFlows({ baseUrl, apiKey: SIMULATOR_API_KEY }),
  ];
  const started = performance.now();
  const html = await Promise.race([
    renderApplication((context) => bootstrapApplication(App, { providers }, context), { document: '<app-root></app-root>', url: '/' }),
    new Promise((resolve) => setTimeout(resolve, LIMIT_MS, undefined)),
  ]);
  const ms = Math.round(performance.now() - started);
  if (html === undefined) {
    console.log(JSON.stringify({ stable: false }));
  } else {
    const shows = /<span class="status">([^<]*)<\/span>\s*<span class="pct">([^<]*)<\/span>/.exec(html);
    console.log(JSON.stringify({ stable: true, ms, shows: shows ? `${shows[1]} ${shows[2]}` : '(no component)' }));
  }
  process.exit(0);
}
