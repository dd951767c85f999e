import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json } from '../routing/responses.js';
import { createSimulator, type Simulator } from '../Simulator.js';
import type { SimulatorOptions } from '../types.js';
import { CORS_HEADERS, PREFLIGHT_HEADERS } from './corsHeaders.js';
import { MAX_REQUEST_BYTES, readRequestBody } from './readRequestBody.js';

/** Options of {@link startSimulatorServer}: where to listen, plus simulator options. */
export interface SimulatorServerOptions extends SimulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Serve this simulator instead of creating one (the simulator options are then ignored). */
  simulator?: Simulator;
  /**
   * How long an idle keep-alive connection stays open. Longer than the client's own idle limit
   * (undici: 4 s) means the client always closes first, so no request races a closing socket. @default 5000 (Node's)
   */
  keepAliveTimeoutMs?: number;
  /**
   * The largest request body read, in bytes. A longer one is answered 413 (Payload Too Large)
   * as soon as its `Content-Length` says so or its streamed bytes pass the limit, and its
   * connection is dropped: the rest is never read. @default 10485760 (10 MiB, the client's own input limit)
   */
  maxRequestBytes?: number;
}

/** A running simulator server. */
export interface SimulatorServer {
  /** Base URL for the client, e.g. `http://127.0.0.1:53124` (without `/api/v1`). */
  url: string;
  /** An API key the server accepts. */
  apiKey: string;
  /** The simulator behind the server: its flows, clock, request log and statistics. */
  simulator: Simulator;
  /** Stops listening, drops every open connection and ends held requests; leaves no handle. */
  close(): Promise<void>;
}

/**
 * Starts a real HTTP server (node:http) answering from a simulator, for over-the-wire
 * tests (aborted sockets, resets) and demos. Pages of other origins may call it (an app under
 * `ng serve`): it answers CORS preflights and exposes `Content-Disposition` and `Retry-After`.
 * Request bodies are capped at `maxRequestBytes` while they stream (413).
 *
 * @param options - Port, host and simulator options.
 * @returns The server's URL, API key, simulator and `close()`.
 * @example
 * const server = await startSimulatorServer({ seed: 1 });
 * const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await server.close();
 */
export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const { port = 0, host = '127.0.0.1', simulator: given, keepAliveTimeoutMs, maxRequestBytes = MAX_REQUEST_BYTES, ...simulatorOptions } = options;
  if (!(Number.isSafeInteger(maxRequestBytes) && maxRequestBytes >= 0)) throw new TypeError('maxRequestBytes must be a whole number ≥ 0');
  const simulator = given ?? createSimulator(simulatorOptions);
  const inFlight = new Set<AbortController>();
  const server = createServer((req, res) => void serve(simulator, inFlight, maxRequestBytes, req, res));
  if (keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = keepAliveTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${shownHost}:${address.port}`,
    apiKey: simulator.apiKey,
    simulator,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Ending held requests first clears their timers; a shared simulator keeps the rest.
        for (const controller of inFlight) controller.abort();
        if (!given) simulator.dispose();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(simulator: Simulator, inFlight: Set<AbortController>, maxRequestBytes: number, req: IncomingMessage, res: ServerResponse) {
  // A browser's preflight, not an API call: answered here, never logged by the simulator.
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...PREFLIGHT_HEADERS, 'content-length': '0' });
    res.end();
    return;
  }
  const controller = new AbortController();
  inFlight.add(controller);
  // 'close' before the response finished means the client went away (or we are closing).
  res.on('close', () => {
    inFlight.delete(controller);
    if (!res.writableFinished) controller.abort();
  });
  try {
    const body = await readRequestBody(req, maxRequestBytes);
    if (body === undefined) return tooLarge(simulator, maxRequestBytes, req, res);
    const answer = await simulator.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
      signal: controller.signal,
    });
    if (controller.signal.aborted) return;
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    const bytes = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(answer.body);
    res.writeHead(answer.status, { ...answer.headers, ...CORS_HEADERS, 'content-length': String(bytes.length) });
    if (!answer.bodyDelayMs || bytes.length < 2) {
      res.end(bytes);
      return;
    }
    const half = Math.floor(bytes.length / 2);
    res.write(bytes.subarray(0, half));
    if (await simulator.wait(answer.bodyDelayMs, controller.signal)) res.end(bytes.subarray(half));
    else res.destroy();
  } catch {
    // A socket torn down mid-request (client abort, close()) ends up here; nothing to answer.
    res.destroy();
  }
}

/**
 * 413 in the server's error shape, then the connection is dropped once the answer is out: the
 * unread rest of the body is never buffered (a real server does the same).
 */
function tooLarge(simulator: Simulator, maxRequestBytes: number, req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  const message = `The request body is larger than ${maxRequestBytes} bytes`;
  const answer = json(413, { timestamp: new Date(simulator.clock.now()).toISOString(), status: 413, error: 'Payload Too Large', message, path });
  const bytes = Buffer.from(answer.body as string);
  res.writeHead(413, { ...answer.headers, ...CORS_HEADERS, connection: 'close', 'content-length': String(bytes.length) });
  res.end(bytes, () => req.socket.destroy());
}
