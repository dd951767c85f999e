import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, type Simulator } from '../Simulator.js';
import type { SimulatorOptions } from '../types.js';

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
 * tests (aborted sockets, resets) and demos.
 *
 * @param options - Port, host and simulator options.
 * @returns The server's URL, API key, simulator and `close()`.
 * @example
 * const server = await startSimulatorServer({ seed: 1 });
 * const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await server.close();
 */
export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const { port = 0, host = '127.0.0.1', simulator: given, keepAliveTimeoutMs, ...simulatorOptions } = options;
  const simulator = given ?? createSimulator(simulatorOptions);
  const inFlight = new Set<AbortController>();
  const server = createServer((req, res) => void serve(simulator, inFlight, req, res));
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

async function serve(simulator: Simulator, inFlight: Set<AbortController>, req: IncomingMessage, res: ServerResponse) {
  const controller = new AbortController();
  inFlight.add(controller);
  // 'close' before the response finished means the client went away (or we are closing).
  res.on('close', () => {
    inFlight.delete(controller);
    if (!res.writableFinished) controller.abort();
  });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await simulator.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: new Uint8Array(Buffer.concat(chunks)),
      signal: controller.signal,
    });
    if (controller.signal.aborted) return;
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(answer.body);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    if (!answer.bodyDelayMs || body.length < 2) {
      res.end(body);
      return;
    }
    const half = Math.floor(body.length / 2);
    res.write(body.subarray(0, half));
    if (await simulator.wait(answer.bodyDelayMs, controller.signal)) res.end(body.subarray(half));
    else res.destroy();
  } catch {
    // A socket torn down mid-request (client abort, close()) ends up here; nothing to answer.
    res.destroy();
  }
}
