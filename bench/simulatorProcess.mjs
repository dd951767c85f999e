// The simulator server in its own process, so the client's CPU figures hold only client work.
// Driven over IPC by bench/simulatorChild.mjs: start, create executions, read stats, close.
import { startSimulatorServer } from 'smart-flows-rx/testing';

let server;

const handlers = {
  async start({ flows, seed, progressHold }) {
    // Idle connections outlive the client's (undici closes its own after 4 s): on a busy machine
    // a request would otherwise often race the server closing its socket (UND_ERR_SOCKET).
    server = await startSimulatorServer({ port: 0, flows, seed, progressHold, keepAliveTimeoutMs: 65_000 });
    return { url: server.url, apiKey: server.apiKey };
  },

  /** Starts `count` executions of a flow without HTTP (skipping the wire keeps setup cheap). */
  async create({ flowId, count }) {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const res = await server.simulator.handle({
        method: 'POST',
        url: `/api/v1/flows/executions/start?flowId=${flowId}`,
        headers: { 'x-api-key': server.apiKey },
      });
      ids.push(JSON.parse(Buffer.from(res.body).toString('utf8')).id);
    }
    return ids;
  },

  /** When each execution was created, from the full execution the server holds. */
  async createdAt({ ids }) {
    const out = {};
    for (const id of ids) {
      const res = await server.simulator.handle({
        method: 'GET',
        url: `/api/v1/flows/executions/${id}`,
        headers: { 'x-api-key': server.apiKey },
      });
      out[id] = Date.parse(JSON.parse(Buffer.from(res.body).toString('utf8')).createdAt);
    }
    return out;
  },

  async stats() {
    return server.simulator.stats;
  },

  async cpu() {
    return process.cpuUsage();
  },

  async close() {
    await server?.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on('message', async ({ id, type, args }) => {
  try {
    process.send({ id, ok: true, value: await handlers[type](args ?? {}) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
