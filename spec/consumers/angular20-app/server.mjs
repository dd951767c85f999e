// One origin for the app: the production build (dist/browser), its settings, and /api/v1/*
// proxied to the Smart Flows simulator of the installed package (smart-flows-rx/testing), which
// sends no CORS headers, so the browser reaches it on the page's own origin.
// `npm start` (after `npm run build`) serves it on http://127.0.0.1:4200 for a look by hand.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtInFlows, startSimulatorServer } from 'smart-flows-rx/testing';

const APP_DIR = fileURLToPath(new URL('dist/browser/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8' };

/**
 * Starts the simulator (its "Short letter" flow with stages of `stageMs`, so the page shows it
 * running) and the app's server in front of it.
 * @param {{ port?: number, stageMs?: number }} [options]
 */
export async function startAppServer({ port = 0, stageMs = 400 } = {}) {
  const letter = { ...builtInFlows.short, stages: builtInFlows.short.stages.map((stage) => ({ ...stage, durationMs: stageMs })) };
  const backend = await startSimulatorServer({ flows: [letter] });
  const upstream = new URL(backend.url);
  /** @type {{ method: string, path: string }[]} */
  const apiRequests = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/api/')) {
      apiRequests.push({ method: req.method ?? 'GET', path });
      return proxy(req, res, upstream);
    }
    if (path === '/app-settings.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ apiKey: backend.apiKey }));
    }
    void serveStatic(path, res);
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    simulator: backend.simulator,
    flowId: letter.id,
    get apiRequests() {
      return [...apiRequests];
    },
    async close() {
      await new Promise((done) => {
        server.close(() => done(undefined));
        server.closeAllConnections();
      });
      await backend.close();
    },
  };
}

function proxy(req, res, upstream) {
  const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  res.on('close', () => {
    if (!res.writableFinished) forward.destroy();
  });
  req.pipe(forward);
}

async function serveStatic(urlPath, res) {
  let file = resolve(join(APP_DIR, decodeURIComponent(urlPath)));
  if (!file.startsWith(resolve(APP_DIR) + sep) && file !== resolve(APP_DIR)) return res.writeHead(403).end();
  if (!(await stat(file).catch(() => undefined))?.isFile()) file = join(APP_DIR, 'index.html');
  const stream = createReadStream(file);
  stream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(404).end('Not found: build the app first (npm run build)')));
  stream.once('open', () => {
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    stream.pipe(res);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startAppServer({ port: Number(process.env.PORT ?? 4200), stageMs: 1000 });
  console.log(`The letter app: ${server.url}/ (Ctrl-C to stop)`);
  process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
}
