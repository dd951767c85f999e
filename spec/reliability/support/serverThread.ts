import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { SimulatorServerOptions, SimulatorStats } from 'smart-flows-rx/testing';

/** A simulator server running in a worker thread. */
export interface ServerThread {
  url: string;
  stats(): Promise<SimulatorStats>;
  /** Closes the server and ends the thread. */
  close(): Promise<void>;
}

const lib = (path: string) => resolve(process.cwd(), 'lib', path);
const entry = lib('testing/index.ts');
// The package's own entry names point at the sources, as in jest.config.js (no build needed).
const alias = { 'smart-flows-rx/xml': lib('xml/index.ts'), 'smart-flows-rx/testing': entry, 'smart-flows-rx': lib('index.ts') };

// Runs in the worker: starts the server, answers 'stats' and 'close'.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.bundle).then(async ({ startSimulatorServer }) => {
  const server = await startSimulatorServer(workerData.options);
  parentPort.on('message', async (message) => {
    if (message === 'stats') parentPort.postMessage({ stats: server.simulator.stats });
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
  const worker = new Worker(WORKER, { eval: true, workerData: { bundle, options } });
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
    close: async () => {
      const closed = next<boolean>('closed');
      worker.postMessage('close');
      await closed;
      await worker.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
