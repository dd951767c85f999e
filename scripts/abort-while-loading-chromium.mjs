// A page that aborts its calls while the engine chunk is still on its way, in headless Chromium
// (Debian's `chromium`, as scripts/simulator-cors-chromium.mjs drives it). The page runs the
// client bundled from the sources by esbuild with code splitting (as an app's builder would, and
// as spec/package/browserWeight.spec.ts bundles it), served from 127.0.0.1 by a small node:http
// server that holds the engine chunk's request unanswered until the page has reported, and then
// answers it (first page) or fails it with a 503 (second page: a chunk the network never
// delivers). The API root is on the same server: every request to it is counted.
// In each page, `run`, `watch`, `runBatch`, `startExecution` and `downloadDocument` are subscribed
// with a signal that aborts at once (and, for `run` and `watch`, with a signal already aborted, or
// unsubscribed at once): each must end synchronously at the abort with `AbortError`. Once the chunk
// has arrived (or failed), nothing may have been sent to the API, no timer of the page's may be
// left (setTimeout/setInterval counted by the page) and no rejection unhandled.
// Exit 1 on any failure, one line per check. Each wait is bounded.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPORT_WITHIN_MS = Number(process.env.REPORT_WITHIN_MS ?? 60_000);
const MODES = ['slow', 'lost'];

/** The page: counts its timers, aborts each call while the engine loads, waits for the chunk, reports. */
const PAGE_SCRIPT = `
import { SmartFlowsClient } from 'smart-flows-rx';
const { mode, engineChunk, next } = window.ABORT_TEST;
// Live timers (the library's come from rxjs's schedulers: setInterval, setTimeout).
const live = new Set();
for (const [set, clear] of [['setTimeout', 'clearTimeout'], ['setInterval', 'clearInterval']]) {
  const setOriginal = window[set].bind(window);
  const clearOriginal = window[clear].bind(window);
  window[set] = (fn, ms, ...args) => {
    const id = setOriginal((...a) => { if (set === 'setTimeout') live.delete(id); fn(...a); }, ms, ...args);
    live.add(id);
    return id;
  };
  window[clear] = (id) => { live.delete(id); clearOriginal(id); };
}
const unhandled = [];
window.addEventListener('unhandledrejection', (e) => unhandled.push(String(e.reason && e.reason.message || e.reason)));
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const flowId = '85f8fe94-6f61-4216-af6c-4889e2547b72';
const executionId = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const documentId = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
const client = new SmartFlowsClient({ baseUrl: location.origin + '/flows-api', apiKey: 'key' });
const entries = {
  run: (signal) => client.run(flowId, '<A/>', { signal }),
  'run (tracking: listing)': (signal) => client.run(flowId, '<A/>', { signal, tracking: 'listing' }),
  watch: (signal) => client.watch(executionId, { signal }),
  runBatch: (signal) => client.runBatch([{ flowId, input: '<A/>' }], { signal }),
  startExecution: (signal) => client.startExecution(flowId, '<A/>', { signal }),
  downloadDocument: (signal) => client.downloadDocument(documentId, { signal }),
};
const out = { mode, cases: [] };
const follow = (name, how, call$, leave) => {
  const seen = { name, how, end: undefined, values: 0 };
  const subscription = call$.subscribe({
    next: () => seen.values++,
    error: (e) => (seen.end = 'error:' + (e && e.name) + (e && e.executionId ? ':' + e.executionId : '')),
    complete: () => (seen.end = 'complete'),
  });
  leave(subscription);
  // Read right after the abort, in the same task: "at once".
  seen.atOnce = seen.end ?? 'open';
  out.cases.push(seen);
};
for (const [name, call] of Object.entries(entries)) {
  const controller = new AbortController();
  follow(name, 'abort at 0 ms', call(controller.signal), () => controller.abort());
}
for (const name of ['run', 'watch']) {
  follow(name, 'signal already aborted', entries[name](AbortSignal.abort()), () => undefined);
  follow(name, 'unsubscribe at 0 ms', entries[name](new AbortController().signal), (s) => s.unsubscribe());
}
// The server answers the held chunk once told; the page then waits for that same chunk itself.
await post('/release', {});
out.chunk = await import(engineChunk).then(() => 'loaded', (e) => 'failed: ' + e.message);
for (let k = 0; k < 3; k++) await new Promise((ok) => requestAnimationFrame(() => ok()));
out.liveTimers = live.size;
out.unhandled = unhandled;
out.later = out.cases.map((c) => c.end ?? 'open');
await post('/report', out);
if (next) location.href = next;
`;

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
  plugins: [
    {
      // The package name resolves to the sources; defaultFetch and the diagnostics to their browser variants (as rollup.config.mjs's browser build).
      name: 'as-browser-build',
      setup(b) {
        b.onResolve({ filter: /^smart-flows-rx$/ }, () => ({ path: join(ROOT, 'lib/index.ts') }));
        b.onResolve({ filter: /\/(defaultFetch|channels|traceRun|traceRequest)$/ }, (args) => b.resolve(`${args.path}.browser`, { resolveDir: args.resolveDir, kind: args.kind }));
      },
    },
  ],
});
const files = new Map(bundle.outputFiles.map((f) => [`/${f.path.slice(join(ROOT, 'page-out').length + 1)}`, f.contents]));
const engineChunk = [...files.keys()].find((f) => /^\/enginePart-[^/]*\.js$/.test(f));
if (!engineChunk) {
  console.error(`abort-while-loading-chromium: no engine chunk among ${[...files.keys()].join(', ')}`);
  process.exit(1);
}

const apiRequests = [];
const reports = [];
let onReport = () => undefined;
/** The held answers of the engine chunk, sent at `/release`. */
let held = [];
/** The mode whose chunk was released. */
let released;
let mode = MODES[0];
const readBody = (req) => new Promise((ok) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
});
const page = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/flows-api')) {
    apiRequests.push(`${mode} ${req.method} ${url.pathname}`);
    return void res.writeHead(500).end();
  }
  if (req.method === 'POST' && url.pathname === '/release') {
    await readBody(req);
    released = mode;
    for (const answer of held) answer();
    held = [];
    return void res.writeHead(204).end();
  }
  if (req.method === 'POST' && url.pathname === '/report') {
    const report = JSON.parse(await readBody(req));
    res.writeHead(204).end();
    reports.push(report);
    return void onReport();
  }
  const headers = { 'content-type': 'text/javascript', 'cache-control': 'no-store' };
  if (url.pathname === '/') {
    mode = url.searchParams.get('mode') ?? MODES[0];
    const next = MODES[MODES.indexOf(mode) + 1];
    const config = { mode, engineChunk, next: next ? `/?mode=${next}` : undefined };
    res.writeHead(200, { ...headers, 'content-type': 'text/html' });
    return void res.end(`<!doctype html><script>window.ABORT_TEST = ${JSON.stringify(config)};</script><script type="module" src="/stdin.js"></script>`);
  }
  const body = files.get(url.pathname);
  if (!body) return void res.writeHead(404).end();
  // The engine chunk: held until the page has aborted its calls; then sent, or (lost) a 503.
  // (Once released, a request for it is answered at once: a browser asks again for a chunk that failed.)
  if (url.pathname === engineChunk) {
    const answeredIn = mode;
    const answer = () => (answeredIn === 'lost' ? res.writeHead(503).end() : res.writeHead(200, headers).end(body));
    if (released === answeredIn) answer();
    else held.push(answer);
    return;
  }
  res.writeHead(200, headers).end(body);
});
await new Promise((ok) => page.listen(0, '127.0.0.1', ok));
const pageUrl = `http://127.0.0.1:${page.address().port}/?mode=${MODES[0]}`;

const profileDir = await mkdtemp(join(tmpdir(), 'sf-abort-loading-'));
const browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profileDir}`, pageUrl], { stdio: 'ignore' });
const browserExited = new Promise((ok) => browser.once('exit', ok));
let timer;
const outcome = await Promise.race([
  new Promise((ok) => (onReport = () => reports.length === MODES.length && ok('reported'))),
  new Promise((ok) => (timer = setTimeout(() => ok(`no report from the pages within ${REPORT_WITHIN_MS} ms (${reports.length} of ${MODES.length})`), REPORT_WITHIN_MS))),
  browserExited.then((code) => `chromium exited (${code}) before the pages reported`),
]);
clearTimeout(timer);
// A request the library would send once the chunk arrived goes out in the task that loaded it,
// before the page's report: a short grace for its socket to reach the server anyway.
await new Promise((ok) => setTimeout(ok, 200));

browser.kill('SIGTERM');
await browserExited;
await rm(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
for (const answer of held) answer();
await new Promise((ok) => page.close(ok));
page.closeAllConnections();

const checks = [['both pages reported (the chunk arrived late; the chunk never arrived)', outcome === 'reported']];
for (const report of reports) {
  const expectedChunk = report.mode === 'lost' ? /^failed/ : /^loaded$/;
  checks.push([`${report.mode}: the page's own import of the engine chunk ${report.mode === 'lost' ? 'failed' : 'loaded'} after the aborts`, expectedChunk.test(report.chunk)]);
  for (const c of report.cases) {
    const error = c.name === 'watch' ? 'error:AbortError:6de9206a-de42-4182-8f86-a9a8d29fbd56' : 'error:AbortError';
    const expected = c.how === 'unsubscribe at 0 ms' ? 'open' : error;
    checks.push([
      `${report.mode}: ${c.name}, ${c.how}: ${expected === 'open' ? 'no notification' : 'ends at once with the AbortError'}, nothing after the chunk (${c.atOnce}, later ${report.later[report.cases.indexOf(c)]})`,
      c.atOnce === expected && report.later[report.cases.indexOf(c)] === expected && c.values === 0,
    ]);
  }
  checks.push([`${report.mode}: no timer left (${report.liveTimers})`, report.liveTimers === 0]);
  checks.push([`${report.mode}: no unhandled rejection (${report.unhandled.join('; ') || 'none'})`, report.unhandled.length === 0]);
}
checks.push([`nothing sent to the API (${apiRequests.join(', ') || 'none'})`, apiRequests.length === 0]);

let failed = 0;
for (const [name, ok] of checks) {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
}
if (outcome !== 'reported') console.log(outcome);
console.log(`abort-while-loading-chromium: ${checks.length - failed} of ${checks.length} checks passed (engine chunk ${engineChunk})`);
process.exit(failed === 0 ? 0 : 1);
