// Opens three pages of the documentation site (`npm run docs` writes it to docs/api/) in headless
// Chromium (Debian's `chromium`, as scripts/simulator-cors-chromium.mjs drives it): the home page
// (the README), a guide and an API page. Each must render with no console error, no uncaught
// error or rejection and no failed request: the page's own scripts drew the navigation (guides
// and entries), the page shows its heading, and on the home page the search finds a guide.
// The site is served from 127.0.0.1 by a small node:http server that adds one script at the top
// of each page's <head>: it records console.error/console.warn, `error` events (also a script or
// stylesheet that failed to load) and unhandled rejections, then posts a report. Each wait is
// bounded. Run by .ci/run after `npm run docs`; exit 1 on any failure, one line per check.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SITE = join(ROOT, 'docs/api');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPORT_WITHIN_MS = 60_000;

/** The three pages, what each must show, and (home only) a search that must find a guide. */
const PAGES = [
  { name: 'home (README)', path: '/index.html', heading: 'smart-flows-rx', search: { query: 'long polls', expect: 'Polling and long polls' } },
  { name: 'a guide', path: '/documents/Getting_started.html', heading: 'Getting started' },
  { name: 'an API page', path: '/classes/smart-flows-rx.SmartFlowsClient.html', heading: 'SmartFlowsClient' },
];

if (!existsSync(join(SITE, 'index.html'))) {
  console.error('docs-chromium: no site in docs/api/ (run npm run docs first)');
  process.exit(1);
}

/** Runs first in each page: collects what went wrong, waits for the page's scripts, reports. */
const PROBE = (page) => `<script>(() => {
  const problems = [];
  const text = (a) => a.map((x) => (x && x.stack) || String(x)).join(' ');
  for (const level of ['error', 'warn']) {
    const original = console[level].bind(console);
    console[level] = (...args) => { problems.push('console.' + level + ': ' + text(args)); original(...args); };
  }
  addEventListener('error', (e) => problems.push(e.target && e.target !== window ? 'failed to load ' + (e.target.src || e.target.href) : 'uncaught: ' + (e.error && e.error.stack || e.message)), true);
  addEventListener('unhandledrejection', (e) => problems.push('unhandled rejection: ' + text([e.reason])));
  const page = ${JSON.stringify(page)};
  const wait = async (done, ms) => { for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50)); return done(); };
  addEventListener('load', async () => {
    const out = { path: page.path, problems };
    const nav = () => [...document.querySelectorAll('.tsd-navigation a, #tsd-nav-container a')].map((a) => a.textContent.trim());
    out.navigationDrawn = await wait(() => nav().includes('Getting started') && nav().some((t) => t.startsWith('smart-flows-rx')), 10000);
    out.navigation = nav().length;
    out.headings = [...document.querySelectorAll('h1, h2')].map((h) => h.textContent.trim()).slice(0, 5);
    if (page.search) {
      const input = document.getElementById('tsd-search-input');
      document.getElementById('tsd-search-trigger')?.click();
      input.value = page.search.query;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      const results = () => [...document.querySelectorAll('#tsd-search-results li')].map((li) => li.textContent.trim());
      await wait(() => results().some((r) => r.includes(page.search.expect)), 10000);
      out.searchResults = results().slice(0, 8);
    }
    await new Promise((r) => setTimeout(r, 200)); // late console errors of the page's own scripts
    await fetch('/__report', { method: 'POST', body: JSON.stringify(out) });
  });
})();</script>`;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.md': 'text/plain', '.json': 'application/json' };
const failedRequests = [];
let deliver;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'POST' && url.pathname === '/__report') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      deliver?.(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
    return;
  }
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end(); // the browser's own ask
  const file = normalize(join(SITE, decodeURIComponent(url.pathname)));
  if (!file.startsWith(SITE) || !existsSync(file)) {
    failedRequests.push(url.pathname);
    return void res.writeHead(404).end();
  }
  let body = readFileSync(file);
  if (extname(file) === '.html') {
    const page = PAGES.find((p) => p.path === url.pathname) ?? { path: url.pathname };
    body = Buffer.from(body.toString('utf8').replace('<head>', `<head>${PROBE(page)}`));
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

/** Opens one page in a fresh headless Chromium; resolves to the page's report (or an error). */
async function open(page) {
  const profileDir = await mkdtemp(join(tmpdir(), 'sf-docs-chromium-'));
  const reported = new Promise((ok) => (deliver = ok));
  const browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profileDir}`, `${origin}${page.path}`], { stdio: 'ignore' });
  const exited = new Promise((ok) => browser.once('exit', ok));
  let timer;
  const report = await Promise.race([
    reported,
    new Promise((ok) => (timer = setTimeout(() => ok({ error: `no report within ${REPORT_WITHIN_MS} ms` }), REPORT_WITHIN_MS))),
    exited.then((code) => ({ error: `chromium exited (${code}) before the page reported` })),
  ]);
  clearTimeout(timer);
  browser.kill('SIGTERM');
  await exited;
  // Chromium's helper processes may still write to the profile after the main one exits (CI met
  // ENOTEMPTY here): removal retried, as Node's rm does for ENOTEMPTY and EBUSY.
  await rm(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  return report;
}

let failed = 0;
const check = (name, ok, detail) => {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ` (${detail})`}`);
};
for (const page of PAGES) {
  const before = failedRequests.length;
  const report = await open(page);
  const problems = [...(report.problems ?? []), ...(report.error ? [report.error] : []), ...failedRequests.slice(before).map((p) => `404 ${p}`)];
  check(`${page.name} ${page.path}: no console error, uncaught error or failed request`, problems.length === 0, problems.join('; '));
  check(`${page.name}: the navigation drawn by the page's scripts (guides and entries)`, report.navigationDrawn === true, `${report.navigation ?? 0} links`);
  check(`${page.name}: shows "${page.heading}"`, (report.headings ?? []).some((h) => h.includes(page.heading)), JSON.stringify(report.headings));
  if (page.search) {
    const found = (report.searchResults ?? []).some((r) => r.includes(page.search.expect));
    check(`${page.name}: searching "${page.search.query}" finds the guide "${page.search.expect}"`, found, JSON.stringify(report.searchResults));
  }
}
server.closeAllConnections();
await new Promise((ok) => server.close(ok));
console.log(`docs-chromium: ${failed === 0 ? 'all checks passed' : `${failed} checks failed`} (${PAGES.length} pages)`);
process.exit(failed === 0 ? 0 : 1);
