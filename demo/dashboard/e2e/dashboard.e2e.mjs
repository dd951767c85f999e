// End-to-end test of the dashboard in headless Chromium (Debian's `chromium`, driven by
// playwright-core): the built app, served beside the simulator, runs its batch of 12 flows;
// the test answers the approval form, cancels the archive, waits for every scripted status,
// downloads a document and saves screenshots. Run after `npm run build`: `npm run e2e`.
import { access, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDashboardServer } from '../server/dashboardServer.mjs';

const ARTIFACTS = process.env.E2E_ARTIFACTS ?? fileURLToPath(new URL('../../../artifacts/dashboard-e2e/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Stage length of the simulated flows: long enough that a person could click, short enough for CI. */
const STAGE_MS = Number(process.env.E2E_STAGE_MS ?? 500);
/** The whole run must end within this, whatever hangs. */
const OVERALL_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240_000);
const STEP_MS = 60_000;
/** How long the test watches for requests after leaving a run's page: longer than the longest poll delay (3 s). */
const LEAVE_WAIT_MS = 4_000;

const results = [];
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`[${elapsed().padStart(7)}] ${line}`);

/** A named check: its failure is recorded and reported, and ends the run when `fatal`. */
async function check(name, body, { fatal = true } = {}) {
  try {
    const detail = await body();
    results.push({ name, ok: true });
    log(`✓ ${name}${detail ? ` (${detail})` : ''}`);
  } catch (error) {
    results.push({ name, ok: false });
    log(`✗ ${name}\n    ${String(error?.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
    if (fatal) throw new Stop();
  }
}
class Stop extends Error {}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Waits until `test()` holds, checking every 100 ms, for up to `timeoutMs`. */
async function until(test, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let server;
let context;
let profileDir;
const watchdog = setTimeout(() => {
  log(`✗ the run took longer than ${OVERALL_MS} ms; stopping`);
  void finish(1);
}, OVERALL_MS);

async function finish(code) {
  clearTimeout(watchdog);
  await context?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  if (profileDir) await rm(profileDir, { recursive: true, force: true }).catch(() => undefined);
  const failed = results.filter((r) => !r.ok).length;
  const exitCode = code || (failed ? 1 : 0);
  console.log(`\nScreenshots: ${ARTIFACTS}`);
  console.log(`dashboard-e2e: ${results.length - failed} passed, ${failed} failed (${elapsed()})`);
  // For CI's summary line (scripts/node-matrix.mjs --json): the counts in Jest's report fields.
  if (process.env.E2E_JSON) await writeFile(process.env.E2E_JSON, JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed })).catch(() => undefined);
  process.exit(exitCode);
}

try {
  await access(CHROMIUM).catch(() => {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
  });
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startDashboardServer({ port: 0, stageMs: STAGE_MS });
  log(`dashboard and simulator on ${server.url} (stages of ${STAGE_MS} ms)`);
  const expected = Object.fromEntries(server.jobs.map((job) => [job.key, job.expected]));

  profileDir = await mkdtemp(join(tmpdir(), 'sf-dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1200, height: 1100 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  context.setDefaultTimeout(STEP_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  const row = (key) => page.locator(`li.row[data-key="${key}"]`);

  await check('the dashboard loads and lists the 12 flows', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('li.row').nth(11).waitFor();
    assert((await page.locator('li.row').count()) === 12, 'expected 12 rows');
    await page.locator('[data-testid="aggregate"]').waitFor();
  });

  await check('the approval flow shows its form, rendered from the UserInput progress', async () => {
    const form = row('quote-approval').locator('form.user-input');
    await form.waitFor();
    assert((await row('quote-approval').getAttribute('data-status')) === 'UserInput', 'status is not UserInput');
    await form.locator('input[name="approved"][type="checkbox"]').check();
    await form.locator('input[name="comment"]').fill('Approved by the e2e test');
    return 'fields: approved, comment';
  });

  await check('some flows run while others wait for a slot (screenshot mid-run)', async () => {
    await row('nightly-archive').and(page.locator('[data-status="Running"]')).waitFor();
    const running = await page.locator('li.row[data-state="running"]').count();
    const queued = await page.locator('li.row[data-state="queued"]').count();
    assert(running >= 1 && running <= 4, `running = ${running}, the batch's concurrency is 4`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-mid-run.png'), fullPage: true });
    return `${running} running, ${queued} queued`;
  });

  await check('submitting the form resumes the flow', async () => {
    await row('quote-approval').locator('button[type="submit"]').click();
    await row('quote-approval').locator('form.user-input').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('li.row[data-key="quote-approval"]')?.getAttribute('data-status') !== 'UserInput');
    assert(server.simulator.stats.byRoute.userInput >= 1, 'the simulator received no answer');
  });

  await check('Cancel stops the nightly archive', async () => {
    await row('nightly-archive').locator('[data-testid="cancel"]').click();
    await row('nightly-archive').and(page.locator('[data-status="Canceled"]')).waitFor();
    assert(server.simulator.stats.byRoute.cancel >= 1, 'the simulator received no cancel');
  });

  await check('every flow reaches its scripted status', async () => {
    await page.locator('[data-testid="aggregate"][data-done="true"]').waitFor({ timeout: 120_000 });
    const statuses = await page.locator('li.row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-key'), r.getAttribute('data-status')]));
    const wrong = statuses.filter(([key, status]) => expected[key] !== status);
    assert(wrong.length === 0, `unexpected: ${wrong.map(([k, s]) => `${k}=${s} (want ${expected[k]})`).join(', ')}`);
    const succeeded = Object.values(expected).filter((s) => s === 'Success' || s === 'Warning').length;
    const shown = await page.locator('[data-testid="count-succeeded"]').textContent();
    assert(shown?.startsWith(`${succeeded} `), `aggregate shows "${shown}", want ${succeeded} succeeded`);
    assert((await page.locator('[data-testid="aggregate-percentage"]').textContent())?.trim() === '100 %', 'aggregate bar is not at 100 %');
    const tally = new Map();
    for (const [, status] of statuses) tally.set(status, (tally.get(status) ?? 0) + 1);
    return [...tally].map(([status, n]) => `${n} ${status}`).join(', ');
  });

  await check('never more than 4 executions ran at once on the server', async () => {
    const { maxConcurrentExecutions, executionsStarted } = server.simulator.stats;
    assert(maxConcurrentExecutions <= 4, `max concurrent = ${maxConcurrentExecutions}`);
    assert(executionsStarted === 11, `${executionsStarted} executions started, want 11 (one input is refused)`);
    return `max ${maxConcurrentExecutions} at once, ${executionsStarted} started`;
  });

  await check('a document link downloads the produced PDF', async () => {
    const links = row('contract-pack').locator('[data-testid="document"]');
    assert((await links.count()) === 3, `contract pack shows ${await links.count()} documents, want 3`);
    const [download] = await Promise.all([page.waitForEvent('download'), links.first().click()]);
    const bytes = await readFile(await download.path());
    assert(download.suggestedFilename() === 'Contract.pdf', `file name ${download.suggestedFilename()}`);
    assert(bytes.subarray(0, 5).toString() === '%PDF-', 'the file is not a PDF');
    return `${download.suggestedFilename()}, ${bytes.length} bytes`;
  });

  await check('the approved quote produced its document', async () => {
    const name = await row('quote-approval').locator('[data-testid="document"]').first().textContent();
    assert(name?.includes('Quote.pdf'), `got ${name}`);
  });

  await check('leaving a single run\'s page stops its polling (the server sees no more requests for it)', async () => {
    await row('nightly-archive').locator('[data-testid="run-alone"]').click();
    const single = page.locator('[data-testid="single-run"][data-key="nightly-archive"]');
    await single.and(page.locator('[data-status="Running"]')).waitFor();
    const id = await single.getAttribute('data-execution-id');
    assert(id, 'the single run shows no execution id');
    const forRun = () => server.apiRequests.filter((r) => r.path.includes(id));
    const polls = () => forRun().filter((r) => r.path.endsWith('/progress')).length;
    await until(() => polls() >= 2, 20_000, 'the single run was not polled twice');
    const whileOpen = forRun().length;
    await page.locator('[data-testid="back"]').click();
    await page.locator('[data-testid="aggregate"][data-done="true"]').waitFor();
    assert((await page.locator('li.row').count()) === 12, 'the batch did not keep its rows while away');
    const left = Date.now();
    await new Promise((resolve) => setTimeout(resolve, LEAVE_WAIT_MS));
    const after = forRun().filter((r) => r.at >= left);
    assert(after.length === 0, `${after.length} requests for ${id} after leaving: ${after.map((r) => r.path).join(', ')}`);
    assert(server.simulator.stats.concurrentExecutions >= 1, 'the execution should still run on the server');
    return `${whileOpen} requests while open, 0 in the ${LEAVE_WAIT_MS / 1000} s after leaving; it still runs on the server`;
  });

  await check('the app\'s interceptor added its header to every request, which the server logged', async () => {
    const requests = server.apiRequests;
    const { requests: received, byRoute } = server.simulator.stats;
    assert(requests.length === received, `the proxy logged ${requests.length} API requests, the simulator received ${received}`);
    const without = requests.filter((r) => !r.requestId?.startsWith('dashboard-'));
    assert(without.length === 0, `${without.length} requests without X-Dashboard-Request, e.g. ${without[0]?.method} ${without[0]?.path}`);
    assert(new Set(requests.map((r) => r.requestId)).size === requests.length, 'two requests carried the same X-Dashboard-Request');
    for (const route of ['start', 'progress', 'execution', 'cancel', 'userInput', 'documentContent']) assert(byRoute[route] > 0, `no ${route} request was made`);
    return `${requests.length} requests (${Object.entries(byRoute).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')})`;
  });

  await check('the page logged no errors', async () => {
    // The HTTP 400 of the refused input is expected in the console; nothing else is.
    const unexpected = pageErrors.filter((e) => !/status of 400/.test(e));
    assert(unexpected.length === 0, unexpected.join('\n'));
  }, { fatal: false });

  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-finished.png'), fullPage: true });
  log('screenshot of the finished batch saved');
  await finish(0);
} catch (error) {
  if (!(error instanceof Stop)) {
    results.push({ name: 'the run', ok: false });
    log(`✗ ${error?.stack ?? error}`);
  }
  try {
    await context?.pages()[0]?.screenshot({ path: join(ARTIFACTS, 'dashboard-failure.png'), fullPage: true });
  } catch {
    // No page to show.
  }
  await finish(1);
}
