import { builtInFlows, startSimulatorServer } from '../../testing/index';
import { wholeNumber } from '../args';
import type { Command } from '../Command';
import { EXIT } from '../exitCodes';
import { UsageError } from '../UsageError';

/** `smart-flows simulator`: the built-in simulator as a real HTTP server, to try every command. */
export const simulator: Command = {
  name: 'simulator',
  usage: 'smart-flows simulator [--port n] [--host address]',
  positionals: { min: 0, max: 0, names: '' },
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
  },
  help: `Starts the simulator of smart-flows-rx/testing as an HTTP server and prints its URL, API
key and flows (with --json: one object). Runs until Ctrl-C or SIGTERM, then exits 0.
Nothing is stored: every start is a fresh server.

Options:
  -p, --port <n>          TCP port, 0 for any free one (default 0)
  --host <address>        interface to listen on (default 127.0.0.1)
  --json                  print where it listens as one JSON object
  -h, --help              this help

Example:
  smart-flows simulator --port 8080 &
  export SMART_FLOWS_URL=http://127.0.0.1:8080 SMART_FLOWS_API_KEY=sim-api-key`,

  async run({ args, term, interrupts }) {
    const port = wholeNumber('port', args.values.port, 0, 65535) ?? 0;
    const host = typeof args.values.host === 'string' ? args.values.host : '127.0.0.1';
    const server = await startSimulatorServer({ port, host }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: pick another --port, or 0 for any free one`);
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new UsageError(`cannot listen on --host ${host}`);
      throw error;
    });
    const flows = Object.entries(builtInFlows).map(([name, flow]) => ({ name, id: flow.id, outcome: flow.outcome, displayName: flow.displayName }));
    term.event({ type: 'listening', url: server.url, apiKey: server.apiKey, flows });
    term.result(`Smart Flows simulator listening on ${server.url}`);
    term.result('');
    term.result(`  export SMART_FLOWS_URL=${server.url}`);
    // The simulator's key is a published constant, not a secret: showing it is the point.
    term.result(`  export SMART_FLOWS_API_KEY=${server.apiKey}`);
    term.result('');
    term.result('Flows:');
    for (const flow of flows) term.result(`  ${flow.name.padEnd(14)} ${flow.id}  ${flow.outcome.padEnd(11)} ${flow.displayName}`);
    term.note('\nCtrl-C to stop.');
    return new Promise<number>((resolve) => {
      interrupts.onInterrupt(async () => {
        await server.close();
        term.note('Simulator stopped.');
        resolve(EXIT.ok);
      });
    });
  },
};
