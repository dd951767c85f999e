// Serves the built dashboard and the simulator behind it: `npm start [-- --port 4300 --stage-ms 1000]`.
import { startDashboardServer } from './server/dashboardServer.mjs';

function arg(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

const port = Number(arg('port', process.env.PORT ?? '4300'));
const stageMs = Number(arg('stage-ms', '1000'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port: use a number from 0 (any free port) to 65535.`);
  process.exit(2);
}
if (!(stageMs >= 10)) {
  console.error(`Invalid --stage-ms: use a number of milliseconds ≥ 10.`);
  process.exit(2);
}

const host = process.env.HOST ?? '127.0.0.1';
const server = await startDashboardServer({ port, host, stageMs }).catch((error) => {
  if (error?.code !== 'EADDRINUSE') throw error;
  console.log(`Port ${port} is taken; using a free one (choose with --port).`);
  return startDashboardServer({ port: 0, host, stageMs });
});
console.log(`Smart Flows dashboard: ${server.url}/`);
console.log(`  12 flows, 4 at a time, each stage ${stageMs} ms, against the simulator behind ${server.url}/api/v1`);
console.log('  Answer the approval form and cancel the nightly archive to finish the batch.');
console.log('Ctrl-C to stop.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
