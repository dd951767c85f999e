// One origin for the dashboard: the built Angular app, its configuration, and /api/v1/*
// proxied to a Smart Flows simulator (which sends no CORS headers, so the browser must
// reach it on the page's own origin, as it would reach a real server behind a gateway).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulatorServer } from 'smart-flows-rx/testing';
import { demoFlows, demoJobs } from './demoFlows.mjs';

const APP_DIR = fileURLToPath(new URL('../dist/browser/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * One API request as it reached the server, oldest first: the simulator's own log has no headers,
 * so the proxy notes the one the app's interceptor adds (`X-Dashboard-Request`).
 * @typedef {{ method: string, path: string, at: number, requestId: string | undefined }} ApiRequest
 */

/** The API requests kept (the e2e run sends a few hundred). */
const API_LOG_LIMIT = 20_000;

/**
 * Starts the simulator (on a private loopback port) and the dashboard's server in front of it.
 * @param {{ port?: number, host?: string, stageMs?: number, concurrency?: number, appDir?: string }} [options]
 * @returns {Promise<{ url: string, simulator: import('smart-flows-rx/testing').Simulator, jobs: typeof demoJobs, apiRequests: readonly ApiRequest[], close(): Promise<void> }>}
 */
export async function startDashboardServer(options = {}) {
  const { port = 0, host = '127.0.0.1', stageMs = 1000, concurrency = 4, appDir = APP_DIR } = options;
  const backend = await startSimulatorServer({ flows: demoFlows(stageMs) });
  const upstream = new URL(backend.url);
  const config = JSON.stringify({ apiKey: backend.apiKey, concurrency, jobs: demoJobs.map(({ key, label, flowId, input }) => ({ key, label, flowId, input })) });

  /** @type {ApiRequest[]} */
  const apiRequests = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/api/')) {
      const requestId = req.headers['x-dashboard-request'];
      apiRequests.push({ method: req.method ?? 'GET', path, at: Date.now(), requestId: Array.isArray(requestId) ? requestId[0] : requestId });
      if (apiRequests.length > API_LOG_LIMIT) apiRequests.shift();
      return proxy(req, res, upstream);
    }
    if (path === '/dashboard-config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      return res.end(config);
    }
    void serveStatic(appDir, path, res);
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());

  let closing;
  return {
    url: `http://${host}:${address.port}`,
    simulator: backend.simulator,
    jobs: demoJobs,
    get apiRequests() {
      return [...apiRequests];
    },
    close() {
      closing ??= (async () => {
        await new Promise((done) => {
          server.close(() => done(undefined));
          server.closeAllConnections();
        });
        await backend.close();
      })();
      return closing;
    },
  };
}

/** Forwards one request to the simulator; a browser that goes away aborts the upstream request. */
function proxy(req, res, upstream) {
  const forward = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      // A reset from the simulator (fault injection) reaches the browser as a reset too.
      answer.on('aborted', () => res.destroy());
    },
  );
  forward.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  res.on('close', () => {
    if (!res.writableFinished) forward.destroy();
  });
  req.pipe(forward);
}

async function serveStatic(root, urlPath, res) {
  let file = resolve(join(root, decodeURIComponent(urlPath)));
  if (!file.startsWith(resolve(root) + sep) && file !== resolve(root)) {
    res.writeHead(403).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  // Unknown paths get the app (client-side routes); the app's files have hashed names.
  if (!info?.isFile()) file = join(root, 'index.html');
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const cache = file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable';
  const stream = createReadStream(file);
  stream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(404, { 'content-type': TYPES['.txt'] }).end('Not found: build the app first (npm run build)')));
  stream.once('open', () => {
    res.writeHead(200, { 'content-type': type, 'cache-control': cache });
    stream.pipe(res);
  });
}
