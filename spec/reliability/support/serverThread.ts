import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { SimulatorServerOptions, SimulatorStats } from 'smart-flows-rx/testing';

/** How the server saw one tagged request end (see {@link CALL_TAG_HEADER}). */
export type ServerCallState =
  /** The server wrote its whole answer. */
  | 'answered'
  /** The connection closed before the answer was written: the client went away (an abort). */
  | 'closed'
  /** Received, not ended yet. */
  | 'open'
  /** Never received (a request aborted before its connection was made). */
  | 'unseen';

/** Requests carrying this header (a number) are followed by the server: see {@link ServerThread.callStates}. */
export const CALL_TAG_HEADER = 'x-reliability-call';

/** A simulator server running in a worker thread. */
export interface ServerThread {
  url: string;
  stats(): Promise<SimulatorStats>;
  /** How each tagged request ended on the server side, in the order of `tags`. */
  callStates(tags: readonly number[]): Promise<ServerCallState[]>;
  /** Closes the server and ends the thread. */
  close(): Promise<void>;
}

const lib = (path: string) => resolve(process.cwd(), 'lib', path);
const entry = lib('testing/index.ts');
// The package's own entry names point at the sources, as in jest.config.js (no build needed).
const alias = { 'smart-flows-rx/xml': lib('xml/index.ts'), 'smart-flows-rx/testing': entry, 'smart-flows-rx': lib('index.ts') };

// Runs in the worker: starts the server, answers 'stats', { callStates } and 'close'. Node's
// http diagnostics channel shows every request the server receives, so how each tagged one ended
// ('finish': answer written; 'close' first: the connection went away) is recorded without
// touching the simulator.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const diagnostics = require('node:diagnostics_channel');
const ended = new Map();
diagnostics.subscribe('http.server.request.start', ({ request, response }) => {
  const tag = request.headers[workerData.tagHeader];
  if (tag === undefined) return;
  ended.set(Number(tag), 'open');
  response.once('finish', () => ended.set(Number(tag), 'answered'));
  response.once('close', () => { if (ended.get(Number(tag)) === 'open') ended.set(Number(tag), 'closed'); });
});
import(workerData.bundle).then(async ({ startSimulatorServer }) => {
  const server = await startSimulatorServer(workerData.options);
  parentPort.on('message', async (message) => {
    if (message === 'stats') parentPort.postMessage({ stats: server.simulator.stats });
    if (message && Array.isArray(message.callStates)) parentPort.postMessage({ callStates: message.callStates.map((tag) => ended.get(tag) ?? 'unseen') });
    if (message === 'close') {
      await server.close();
      parentPort.postMessage({ closed: true });
      parentPort.close();
    }
  });
  parentPort.postMessage({ url: server.url });
});
`;

/**
 * Starts the simulator's HTTP server in a worker thread (its own V8 heap and event loop), so a
 * heap or handle measurement of this thread sees only the client: the executions the simulator
 * keeps, and its server-side sockets, are not counted. The testing entry is bundled from the
 * sources with esbuild first (workers do not get Jest's transform).
 * @param options - structured-cloneable simulator server options (no functions)
 */
export async function startServerThread(options: SimulatorServerOptions): Promise<ServerThread> {
  const dir = mkdtempSync(join(tmpdir(), 'sfrx-reliability-'));
  const bundle = join(dir, 'testing.mjs');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent', alias });
  const worker = new Worker(WORKER, { eval: true, workerData: { bundle, options, tagHeader: CALL_TAG_HEADER } });
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (key in message) {
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve(message[key] as T);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const url = await next<string>('url');
  return {
    url,
    stats: () => {
      const answer = next<SimulatorStats>('stats');
      worker.postMessage('stats');
      return answer;
    },
    callStates: (tags) => {
      const answer = next<ServerCallState[]>('callStates');
      worker.postMessage({ callStates: tags });
      return answer;
    },
    close: async () => {
      const closed = next<boolean>('closed');
      worker.postMessage('close');
      await closed;
      await worker.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
