// The app as `ng new --ssr` makes it, built for production and served by its own Express server
// (dist/ssr-app/server/server.mjs) beside the simulator: the page fetched by a plain HTTP client
// (the server renders the initial state and starts nothing, fast even for a flow that waits for
// user input), then opened in headless Chromium (Debian's `chromium`, driven by playwright-core):
// hydration reuses the server's DOM without errors, the browser starts the run exactly once and
// follows it to Success. A second route watches an existing execution: the server renders one
// snapshot of it, and the browser's first request for it is its first poll.
// One line per check, a closing count; exit 1 if any check failed.
// APP_E2E_JSON=file also writes the counts in Jest's report fields (for scripts/node-matrix.mjs --json).
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer } from 'smart-flows-rx/testing';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OVERALL_MS = 300_000;
const STEP_MS = 30_000;
// As in src/app/flows.ts.
const API_KEY = 'consumer-ssr-key';
const POLL_INTERVAL_MS = 1000;
const RENDER_WITHIN_MS = 2000;

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const results = [];
let simulator;
let app;
let context;
let profileDir;

async function check(name, body) {
  try {
    const detail = await body();
    results.push(true);
    console.log(`✓ ${name}${detail ? ` (${detail})` : ''}`);
  } catch (error) {
    results.push(false);
    console.log(`✗ ${name}\n    ${String(error?.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
    throw new Stop();
  }
}
class Stop extends Error {}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function run(command, args) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: here, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
    child.on('close', (code) => done(code ?? 1));
  });
}
/** A free loopback port (asked of the system, then released for the app's server). */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}
/** Starts the built server; resolves when it says it listens (bounded). */
async function startApp(simulatorUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(here, 'dist/ssr-app/server/server.mjs')], {
    cwd: here,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SIMULATOR_URL: simulatorUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start within ${STEP_MS} ms: ${output}`)), STEP_MS);
    const read = (data) => {
      output += data;
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (data) => (output += data));
    child.once('exit', (code) => fail(new Error(`the server exited with ${code}: ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

async function finish(code) {
  clearTimeout(watchdog);
  await context?.close().catch(() => undefined);
  app?.close();
  await simulator?.close().catch(() => undefined);
  if (profileDir) await rm(profileDir, { recursive: true, force: true }).catch(() => undefined);
  const failed = results.filter((ok) => !ok).length + (code && results.every(Boolean) ? 1 : 0);
  const passed = results.filter(Boolean).length;
  console.log(`angular22-ssr-app: ${passed} passed, ${failed} failed (${seconds(started)})`);
  if (process.env.APP_E2E_JSON) await writeFile(process.env.APP_E2E_JSON, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
  process.exit(failed ? 1 : 0);
}
const watchdog = setTimeout(() => {
  console.log(`✗ the run took longer than ${OVERALL_MS / 1000} s; stopping`);
  void finish(1);
}, OVERALL_MS);

/** Requests the simulator received for one execution so far (its progress and output reads). */
const requestsFor = (id) => simulator.simulator.requests.filter((r) => r.path.includes(id));
/** The page's rendered execution section, as HTML text. */
const sectionOf = (html) => /<section data-testid="execution"[^>]*>/.exec(html)?.[0] ?? '(no section)';

try {
  await check('smart-flows-rx is installed from a packed tarball, not linked', async () => {
    const installed = join(here, 'node_modules/smart-flows-rx');
    assert(!(await lstat(installed)).isSymbolicLink(), 'node_modules/smart-flows-rx is a symbolic link');
    const lock = JSON.parse(await readFile(join(here, 'node_modules/.package-lock.json'), 'utf8'));
    const resolved = lock.packages['node_modules/smart-flows-rx']?.resolved ?? '';
    assert(resolved.endsWith('.tgz'), `installed from ${resolved || 'nowhere known'}`);
    const version = (name) => require(`${name}/package.json`).version;
    return `${resolved.split('/').pop()}; Angular ${version('@angular/core')}, @angular/ssr ${version('@angular/ssr')}, zone.js ${version('zone.js')}, Node ${process.versions.node}`;
  });

  await check('ng build (production, server output) succeeds', async () => {
    const since = Date.now();
    await rm(join(here, 'dist'), { recursive: true, force: true });
    const code = await run(process.execPath, [join(here, 'node_modules/@angular/cli/bin/ng.js'), 'build']);
    assert(code === 0, `ng build exited with ${code}`);
    await lstat(join(here, 'dist/ssr-app/server/server.mjs'));
    return seconds(since);
  });

  simulator = await startSimulatorServer({ apiKeys: [API_KEY] });
  app = await startApp(simulator.url);

  await check(`the server renders a run's initial state and starts nothing, within ${RENDER_WITHIN_MS} ms (plain HTTP)`, async () => {
    const seen = [];
    for (const path of ['/', '/quote']) {
      const since = Date.now();
      const response = await fetch(`${app.url}${path}`);
      const html = await response.text();
      const ms = Date.now() - since;
      assert(response.status === 200, `${path}: status ${response.status}`);
      assert(ms < RENDER_WITHIN_MS, `${path}: answered in ${ms} ms`);
      assert(/data-status="Starting" data-active="false"/.test(html), `${path}: the page shows ${sectionOf(html)}`);
      seen.push(`${path} ${ms} ms`);
    }
    const { executionsStarted, requests } = simulator.simulator.stats;
    assert(executionsStarted === 0 && requests === 0, `the simulator saw ${requests} requests, ${executionsStarted} starts during the renders`);
    return `${seen.join(', ')} (/quote waits for user input); 0 requests, 0 starts`;
  });

  profileDir = await mkdtemp(join(tmpdir(), 'sf-angular22-ssr-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  context.setDefaultTimeout(STEP_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => (message.type() === 'error' || /NG0\d/.test(message.text())) && pageErrors.push(message.text()));
  // The section the server rendered, kept as the parser creates it: hydration keeps that node.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const section = document.querySelector('[data-testid="execution"]');
      if (section) {
        window.__serverSection = section;
        window.__serverStatus = section.getAttribute('data-status');
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true });
  });
  const execution = page.locator('[data-testid="execution"]');

  await check('in the browser, hydration keeps the server\'s DOM, starts the run once and follows it to Success', async () => {
    const since = Date.now();
    await page.goto(`${app.url}/`);
    await page.locator('[data-testid="execution"][data-status="Success"], [role="alert"]').first().waitFor();
    const alert = page.locator('[role="alert"]');
    if ((await alert.count()) > 0) throw new Error(`the page shows an error: ${await alert.first().textContent()}`);
    const hydrated = await page.evaluate(() => window.__serverSection === document.querySelector('[data-testid="execution"]'));
    const serverStatus = await page.evaluate(() => window.__serverStatus);
    assert(serverStatus === 'Starting', `the server's page showed ${serverStatus}`);
    assert(hydrated, 'the section is not the one the server rendered: the app rendered anew instead of hydrating');
    const percentage = (await execution.locator('[data-testid="percentage"]').textContent())?.trim();
    assert(percentage === '100 %', `the percentage shows "${percentage}"`);
    const { executionsStarted, byRoute } = simulator.simulator.stats;
    assert(executionsStarted === 1 && byRoute.start === 1, `${executionsStarted} executions started; want exactly 1`);
    const documents = await execution.locator('[data-testid="document"]').allTextContents();
    return `Starting (server) → Success 100 %, DOM hydrated, 1 start, ${byRoute.progress} polls, documents: ${documents.join(', ') || 'none'}; ${seconds(since)}`;
  });

  await check('a watched execution: the server renders one snapshot; the browser shows it and asks again only at its first poll', async () => {
    const client = new SmartFlowsClient({ baseUrl: simulator.url, apiKey: API_KEY });
    const { id } = await firstValueFrom(client.startExecution(builtInFlows.long.id, '<Report/>'));
    const response = await fetch(`${app.url}/watch/${id}`);
    const html = await response.text();
    assert(/data-status="Running" data-active="false"/.test(html), `the server's page shows ${sectionOf(html)}`);
    assert(html.includes(`smart-flows-rx:progress:${id.toLowerCase()}`), 'the snapshot is not in the page\'s TransferState');
    assert(requestsFor(id).length === 1, `the server read the execution ${requestsFor(id).length} times; want 1`);

    // The navigation renders the page on the server again (its second read); then the browser hydrates.
    await page.goto(`${app.url}/watch/${id}`);
    await page.locator('[data-testid="execution"][data-active="true"]').waitFor();
    assert((await execution.getAttribute('data-status')) === 'Running', `the browser shows ${await execution.getAttribute('data-status')}`);
    const deadline = Date.now() + STEP_MS;
    while (requestsFor(id).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const [, serverRead, browserFirst] = requestsFor(id);
    assert(browserFirst, 'the browser never polled the execution');
    // The browser booted after the server's read; its first request comes one poll interval after it booted.
    const after = browserFirst.at - serverRead.at;
    assert(after >= POLL_INTERVAL_MS, `the browser asked for the execution ${after} ms after the server's read, before its first poll (${POLL_INTERVAL_MS} ms)`);
    await firstValueFrom(client.cancelExecution(id), { defaultValue: undefined });
    return `server: 1 read per render, Running in the HTML and TransferState; browser: Running at once, first request ${after} ms after the server's read`;
  });

  await check('the page logged no errors', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
  await finish(0);
} catch (error) {
  if (!(error instanceof Stop)) {
    results.push(false);
    console.log(`✗ ${error?.stack ?? error}`);
  }
  await context?.pages()[0]?.screenshot({ path: join(here, 'failure.png'), fullPage: true }).then(() => console.log(`screenshot: ${join(here, 'failure.png')}`), () => undefined);
  await finish(1);
}
