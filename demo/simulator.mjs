// Starts the Smart Flows simulator as a real HTTP server:
// `npm run simulator [-- --port 8080] [--hold default:30]`.
// `--hold` sets how the progress call's `timeout` is honoured (the sources leave it open):
//   asked             holds only for a positive timeout (the default)
//   default[:s]       also holds a progress call without timeout up to s seconds (30)
//   ignore[:s]        holds every progress call up to s seconds whatever timeout says (ignore:0: never)
// followed by ,minusOne=none|default|forever and ,zero=… for what timeout=-1 / 0 mean.
// It imports the built package the way a user would (run `npm run build` first).
import { startSimulatorServer, builtInFlows, parseProgressHold } from 'smart-flows-rx/testing';

function flagFromArgs(argv, name) {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

const argv = process.argv.slice(2);
const raw = flagFromArgs(argv, 'port') ?? process.env.PORT ?? '0';
const port = Number(raw);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port '${raw}': use a number from 0 (any free port) to 65535.`);
  process.exit(2);
}
let progressHold;
try {
  progressHold = parseProgressHold(flagFromArgs(argv, 'hold') ?? 'asked');
} catch (error) {
  console.error(error.message);
  process.exit(2);
}

const server = await startSimulatorServer({ port, host: process.env.HOST ?? '127.0.0.1', progressHold });
const describeHold = ({ mode, defaultSeconds, minusOne, zero }) =>
  mode === 'asked'
    ? 'held only when a positive timeout is sent'
    : mode === 'ignore'
      ? defaultSeconds > 0 ? `every call held up to ${defaultSeconds} s, timeout ignored` : 'never held, timeout ignored'
      : `held up to ${defaultSeconds} s without timeout; timeout=-1: ${minusOne}, timeout=0: ${zero}`;
console.log(`Smart Flows simulator listening on ${server.url}`);
console.log(`  API base : ${server.url}/api/v1`);
console.log(`  API key  : ${server.apiKey}   (header X-API-Key)`);
console.log(`  Progress : ${describeHold(progressHold)}   (--hold)`);
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
