// The simulator's HTTP server called from a page of another origin, in headless Chromium
// (Debian's `chromium`), the way an Angular app under `ng serve` calls it: the page (served from
// one loopback port) runs the built client (bundled by esbuild, as an app's builder would)
// against the simulator on another port. The browser must pass its CORS preflights (POST with
// X-API-Key and Content-Type), read `Content-Disposition` (the download takes its file name from
// it: no metadata request) and `Retry-After` (a raw fetch of a simulator answering 503).
// And the browser's HTTP cache is bypassed (attack 6, H4): a server whose progress answers carry
// `Cache-Control: max-age=60` must still see every poll of a watch, which sees the status change.
// The page reports back over HTTP; the wait for it is bounded. Needs `npm run build` first.
// Run by .ci/run after its chromium step; exit 1 on any failure, one line per check.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPORT_WITHIN_MS = 60_000;

const { startSimulatorServer, builtInFlows } = await import(join(ROOT, 'dist/testing.js'));

/** The page's script: what an app does with the client, then a report of what it saw. */
const PAGE_SCRIPT = `
import { SmartFlowsClient, findDocuments } from 'smart-flows-rx';
import { lastValueFrom, toArray } from 'rxjs';
const { simulatorUrl, busyUrl, cacheableUrl, cacheableId, apiKey, flowId } = window.CORS_TEST;
const report = (body) => fetch('/report', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
(async () => {
  const out = { origin: location.origin };
  try {
    const client = new SmartFlowsClient({ baseUrl: simulatorUrl, apiKey, polling: { intervalMs: 50 } });
    const events = await lastValueFrom(client.run(flowId, '<Letter><To>Ada</To></Letter>').pipe(toArray()));
    const last = events.at(-1);
    out.lastEvent = last.type;
    out.status = last.progress.status;
    const [ref] = findDocuments(last.execution ?? last.progress);
    const doc = await lastValueFrom(client.downloadDocument(ref.id));
    out.fileName = doc.fileName;
    out.bytes = doc.data.byteLength ?? doc.data.size;
    const busy = await fetch(busyUrl + '/api/v1/flows/executions/' + last.executionId + '/progress', { headers: { 'X-API-Key': apiKey } });
    out.busyStatus = busy.status;
    out.retryAfter = busy.headers.get('retry-after');
    const cacheable = new SmartFlowsClient({ baseUrl: cacheableUrl, apiKey, polling: { intervalMs: 50 } });
    const watched = await lastValueFrom(cacheable.watch(cacheableId, { timeoutMs: 10000 }).pipe(toArray()));
    out.cacheableStatuses = [...new Set(watched.filter((e) => e.progress).map((e) => e.progress.status))];
  } catch (error) {
    out.error = String(error && error.name) + ': ' + String(error && error.message);
  }
  await report(out);
})();
`;

const sim = await startSimulatorServer({ seed: 3 });
const busy = await startSimulatorServer({ seed: 3, faults: { rate503: 1, retryAfterSeconds: 7 } });

// A server whose progress answers the browser may cache for 60 s: Running for the first three
// polls, then Success. Without `cache: 'no-store'` the watch sees only the first (one request).
const CACHEABLE_ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
let progressGets = 0;
const cacheable = createServer((req, res) => {
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'X-API-Key, Content-Type' };
  if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const json = { ...cors, 'content-type': 'application/json', 'cache-control': 'max-age=60' };
  if (path === `/api/v1/flows/executions/${CACHEABLE_ID}/progress`) {
    const status = ++progressGets > 3 ? 'Success' : 'Running';
    return void res.writeHead(200, json).end(JSON.stringify({ id: CACHEABLE_ID, status, percentage: status === 'Success' ? 100 : 10 }));
  }
  if (path === `/api/v1/flows/executions/${CACHEABLE_ID}`) return void res.writeHead(200, json).end(JSON.stringify({ id: CACHEABLE_ID, status: 'Success' }));
  res.writeHead(404, cors).end();
});
await new Promise((ok) => cacheable.listen(0, '127.0.0.1', ok));

const bundle = await build({
  stdin: { contents: PAGE_SCRIPT, resolveDir: ROOT, sourcefile: 'page.js', loader: 'js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: join(ROOT, 'page-out'),
  write: false,
  logLevel: 'silent',
  alias: { 'smart-flows-rx': join(ROOT, 'dist/index.browser.js') },
  external: ['smart-flows-rx/xml'],
});
const files = new Map(bundle.outputFiles.map((f) => [`/${f.path.slice(join(ROOT, 'page-out').length + 1)}`, f.contents]));

let received;
const reported = new Promise((resolveReport) => (received = resolveReport));
const page = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/report') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      received(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    });
    return;
  }
  if (req.url === '/') {
    const config = { simulatorUrl: sim.url, busyUrl: busy.url, cacheableUrl: `http://127.0.0.1:${cacheable.address().port}`, cacheableId: CACHEABLE_ID, apiKey: sim.apiKey, flowId: builtInFlows.short.id };
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><script>window.CORS_TEST = ${JSON.stringify(config)};</script><script type="module" src="/stdin.js"></script>`);
    return;
  }
  const body = files.get(req.url ?? '');
  if (!body) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
});
await new Promise((ok) => page.listen(0, '127.0.0.1', ok));
const pageUrl = `http://127.0.0.1:${page.address().port}/`;

const profileDir = await mkdtemp(join(tmpdir(), 'sf-simulator-cors-'));
const browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profileDir}`, pageUrl], { stdio: 'ignore' });
const browserExited = new Promise((ok) => browser.once('exit', ok));
let timer;
const report = await Promise.race([
  reported,
  new Promise((ok) => (timer = setTimeout(() => ok({ error: `no report from the page within ${REPORT_WITHIN_MS} ms` }), REPORT_WITHIN_MS))),
  browserExited.then((code) => ({ error: `chromium exited (${code}) before the page reported` })),
]);
clearTimeout(timer);

const routes = sim.simulator.requests.map((r) => r.route);
const checks = [
  ['the page ran on another origin than the simulator', report.origin !== undefined && report.origin !== sim.url],
  ['the run followed across origins to Success (preflights for POST with X-API-Key and Content-Type passed)', report.status === 'Success' && report.lastEvent === 'output'],
  ['the download took its file name from the exposed Content-Disposition (no metadata request)', report.fileName === 'Letter.pdf' && report.bytes > 0 && !routes.includes('document')],
  ['a raw fetch read the exposed Retry-After of a 503', report.busyStatus === 503 && report.retryAfter === '7'],
  [`a watch of progress answers with Cache-Control: max-age=60 saw Running then Success (${progressGets} polls reached the server)`,
    progressGets >= 4 && JSON.stringify(report.cacheableStatuses) === '["Running","Success"]'],
];

browser.kill('SIGTERM');
await browserExited;
await rm(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
await new Promise((ok) => page.close(ok));
page.closeAllConnections();
await new Promise((ok) => cacheable.close(ok));
cacheable.closeAllConnections();
await sim.close();
await busy.close();

let failed = 0;
for (const [name, ok] of checks) {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
}
if (report.error) console.log(`page error: ${report.error}`);
console.log(`simulator-cors-chromium: ${checks.length - failed} of ${checks.length} checks passed (routes: ${[...new Set(routes)].join(', ')})`);
process.exit(failed === 0 ? 0 : 1);
