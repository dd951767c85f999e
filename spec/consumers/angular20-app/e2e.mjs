// The app as a user builds and opens it: a production `ng build` (AOT), served beside the
// simulator (server.mjs), opened in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Checks that smart-flows-rx came from a tarball, that zone.js runs Angular, that
// the page follows the run live to Success at 100 % with its document, and what the simulator
// received. One line per check, a closing count; exit 1 if any check failed.
// APP_E2E_JSON=file also writes the counts in Jest's report fields (for scripts/node-matrix.mjs --json).
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startAppServer } from './server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OVERALL_MS = 300_000;
const STEP_MS = 30_000;

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const results = [];
let server;
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

async function finish(code) {
  clearTimeout(watchdog);
  await context?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  if (profileDir) await rm(profileDir, { recursive: true, force: true }).catch(() => undefined);
  const failed = results.filter((ok) => !ok).length + (code && results.every(Boolean) ? 1 : 0);
  const passed = results.filter(Boolean).length;
  console.log(`angular20-app: ${passed} passed, ${failed} failed (${seconds(started)})`);
  if (process.env.APP_E2E_JSON) await writeFile(process.env.APP_E2E_JSON, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
  process.exit(failed ? 1 : 0);
}
const watchdog = setTimeout(() => {
  console.log(`✗ the run took longer than ${OVERALL_MS / 1000} s; stopping`);
  void finish(1);
}, OVERALL_MS);

try {
  await check('smart-flows-rx is installed from a packed tarball, not linked', async () => {
    const installed = join(here, 'node_modules/smart-flows-rx');
    assert(!(await lstat(installed)).isSymbolicLink(), 'node_modules/smart-flows-rx is a symbolic link');
    const lock = JSON.parse(await readFile(join(here, 'node_modules/.package-lock.json'), 'utf8'));
    const resolved = lock.packages['node_modules/smart-flows-rx']?.resolved ?? '';
    assert(resolved.endsWith('.tgz'), `installed from ${resolved || 'nowhere known'}`);
    const version = (name) => require(`${name}/package.json`).version;
    return `${resolved.split('/').pop()}; Angular ${version('@angular/core')}, zone.js ${version('zone.js')}, Node ${process.versions.node}`;
  });

  await check('ng build (production, AOT) succeeds', async () => {
    const since = Date.now();
    await rm(join(here, 'dist'), { recursive: true, force: true });
    const code = await run(process.execPath, [join(here, 'node_modules/@angular/cli/bin/ng.js'), 'build']);
    assert(code === 0, `ng build exited with ${code}`);
    const html = await readFile(join(here, 'dist/browser/index.html'), 'utf8');
    const initial = [...html.matchAll(/<(?:script src|link rel="modulepreload" href)="([^"]+\.js)"/g)].map((m) => m[1]);
    const files = await readdir(join(here, 'dist/browser'));
    assert(initial.some((f) => f.startsWith('polyfills-')), `index.html loads no polyfills bundle (zone.js): ${initial.join(', ')}`);
    let gz = 0;
    for (const file of initial) gz += gzipSync(await readFile(join(here, 'dist/browser', file)), { level: 9 }).length;
    return `${seconds(since)}; initial scripts ${initial.length} files, ${(gz / 1024).toFixed(1)} KB gzipped (-9), ${files.filter((f) => f.endsWith('.js')).length} scripts in all`;
  });

  server = await startAppServer({ stageMs: 800 });
  profileDir = await mkdtemp(join(tmpdir(), 'sf-angular20-app-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  context.setDefaultTimeout(STEP_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  // Every status and percentage the page shows, as it shows them.
  await page.addInitScript(() => {
    const shown = (window.__shown = []);
    new MutationObserver(() => {
      const letter = document.querySelector('[data-testid="letter"]');
      const now = `${letter?.getAttribute('data-status') ?? ''} ${letter?.querySelector('[data-testid="percentage"]')?.textContent ?? ''}`;
      if (letter && shown.at(-1) !== now) shown.push(now);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const letter = page.locator('[data-testid="letter"]');

  await check('the app boots with zone.js running Angular', async () => {
    const since = Date.now();
    await page.goto(`${server.url}/`);
    await letter.waitFor();
    const zone = await page.evaluate(() => (typeof window.Zone === 'function' ? `${window.Zone.root.name}, ${Object.keys(window).filter((k) => k.startsWith('__zone_symbol__')).length} patches` : 'none'));
    assert(zone !== 'none', 'window.Zone is not defined: zone.js did not load');
    assert((await letter.getAttribute('data-angular-zone')) === 'true', 'the component was not created inside the Angular zone (NgZone.isInAngularZone() is false)');
    return `Zone ${zone}, component created in the Angular zone, ${seconds(since)}`;
  });

  await check('the page follows the run live to Success at 100 % and shows its document', async () => {
    const since = Date.now();
    // Success, or the error the component shows (a failed run ends there).
    await page.locator('[data-testid="letter"][data-status="Success"], [data-testid="letter"] [role="alert"]').first().waitFor();
    const alert = letter.locator('[role="alert"]');
    if ((await alert.count()) > 0) throw new Error(`the page shows an error: ${await alert.first().textContent()}`);
    const percentage = (await letter.locator('[data-testid="percentage"]').textContent())?.trim();
    assert(percentage === '100 %', `the percentage shows "${percentage}"`);
    await letter.locator('[data-testid="document"]').first().waitFor();
    const documents = await letter.locator('[data-testid="document"]').allTextContents();
    assert(documents.includes('Letter.pdf'), `documents shown: ${documents.join(', ') || 'none'}`);
    const shown = await page.evaluate(() => window.__shown);
    const before = shown.filter((s) => !s.startsWith('Success'));
    assert(before.some((s) => /^Running \d+ %$/.test(s) && !s.endsWith('100 %')), `the page never showed the run in progress: ${shown.join(' → ')}`);
    return `${shown.map((s) => s.trim()).filter(Boolean).join(' → ')}; ${documents.join(', ')}; ${seconds(since)}`;
  });

  await check('the simulator received the run: one start, its polls, through the page\'s origin', async () => {
    const { executionsStarted, requests, byRoute } = server.simulator.stats;
    assert(executionsStarted === 1 && byRoute.start === 1, `${executionsStarted} executions started, ${byRoute.start} start requests; want 1`);
    assert(byRoute.progress >= 1 && byRoute.execution >= 1, `${byRoute.progress} progress polls, ${byRoute.execution} output requests`);
    assert(server.apiRequests.length === requests, `the proxy forwarded ${server.apiRequests.length} API requests, the simulator received ${requests}`);
    return `${requests} requests: ${Object.entries(byRoute).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}`;
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
