// Starts the Smart Flows simulator as a real HTTP server: `npm run simulator [-- --port 8080]`.
// It imports the built package the way a user would (run `npm run build` first).
import { startSimulatorServer, builtInFlows } from 'smart-flows-rx/testing';

function portFromArgs(argv) {
  const i = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

const raw = portFromArgs(process.argv.slice(2)) ?? process.env.PORT ?? '0';
const port = Number(raw);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port '${raw}': use a number from 0 (any free port) to 65535.`);
  process.exit(2);
}

const server = await startSimulatorServer({ port, host: process.env.HOST ?? '127.0.0.1' });
console.log(`Smart Flows simulator listening on ${server.url}`);
console.log(`  API base : ${server.url}/api/v1`);
console.log(`  API key  : ${server.apiKey}   (header X-API-Key)`);
console.log(`  Login    : POST /api/v1/authenticate/login {"username":"demo","password":"demo"}`);
console.log('\nFlows:');
for (const [name, flow] of Object.entries(builtInFlows)) {
  const extra = flow.userInput ? ', pauses for user input' : flow.queueMs ? `, queued ${flow.queueMs} ms` : '';
  console.log(`  ${name.padEnd(14)} ${flow.id}  ${flow.outcome.padEnd(11)} ${flow.displayName}${extra}`);
}
console.log(`\nTry: curl -H 'X-API-Key: ${server.apiKey}' -H 'Content-Type: application/xml' \\`);
console.log(`       -d '<Letter/>' '${server.url}/api/v1/flows/executions?flowId=${builtInFlows.short.id}'`);
console.log('\nCtrl-C to stop.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  console.log('\nSimulator stopped.');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
