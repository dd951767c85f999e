// The app as `ng new --ssr` makes it, built for production and served by its own Express server
// (dist/ssr-app/server/server.mjs) beside the simulator: the page fetched by a plain HTTP client
// (the server renders the initial state and starts nothing, fast even for a flow that waits for
// user input), then opened in headless Chromium (Debian's `chromium`, driven by playwright-core):
// hydration reuses the server's DOM without errors, the browser starts the run exactly once and
// follows it to Success. A second route watches an existing execution: the server renders one
// snapshot of it, and the browser's first request for it is its first poll.
// One line per check, a closing count; exit 1 if any check failed (../e2e-kit.mjs).
import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer } from 'smart-flows-rx/testing';
import { assert, seconds, STEP_MS, startE2e } from '../e2e-kit.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
// As in src/app/flows.ts.
const API_KEY = 'consumer-ssr-key';
const POLL_INTERVAL_MS = 1000;
const RENDER_WITHIN_MS = 2000;
const e2e = startE2e('angular22-ssr-app', here);
const { check } = e2e;
let simulator;

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

/** Requests the simulator received for one execution so far (its progress and output reads). */
const requestsFor = (id) => simulator.simulator.requests.filter((r) => r.path.includes(id));
/** The page's rendered execution section, as HTML text. */
const sectionOf = (html) => /<section data-testid="execution"[^>]*>/.exec(html)?.[0] ?? '(no section)';

try {
  await e2e.checkTarball(['@angular/core', '@angular/ssr', 'zone.js']);

  await check('ng build (production, server output) succeeds', async () => {
    const since = Date.now();
    const code = await e2e.ngBuild();
    assert(code === 0, `ng build exited with ${code}`);
    await lstat(join(here, 'dist/ssr-app/server/server.mjs'));
    return seconds(since);
  });

  simulator = await startSimulatorServer({ apiKeys: [API_KEY] });
  e2e.onClose(() => simulator.close());
  const app = await startApp(simulator.url);
  e2e.onClose(() => app.close());

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

  const { page, pageErrors } = await e2e.openChromium(chromium, (message) => message.type() === 'error' || /NG0\d/.test(message.text()));
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
  await e2e.finish(0);
} catch (error) {
  await e2e.fail(error);
}
