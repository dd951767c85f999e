// Runs docs/promises.md's promise.mjs as printed against the simulator's HTTP server: a flow that
// ends in time gives its execution; one that does not is given up at the deadline and canceled
// on the server, and nothing is sent after the program ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSimulatorServer } from 'smart-flows-rx/testing';

const quick = {
  id: '3c0c9d1e-5a8b-4f0e-9b2d-6e1f7a2c4b01',
  displayName: 'Quick letter',
  stages: [{ message: 'Render PDF', durationMs: 50, percentage: 0 }],
  outcome: 'Success',
};
const slow = { ...quick, id: '3c0c9d1e-5a8b-4f0e-9b2d-6e1f7a2c4b02', displayName: 'Slow letter', stages: [{ message: 'Render PDF', durationMs: 60_000, percentage: 0 }] };
const server = await startSimulatorServer({ seed: 5, flows: [quick, slow] });

/** Runs promise.mjs with this flow and limit; gives what it printed. */
async function run(flowId, limitMs) {
  const env = { ...process.env, SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey, FLOW_ID: flowId, LIMIT_MS: String(limitMs) };
  const child = spawn(process.execPath, ['promise.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `promise.mjs exited ${code}: ${err}`);
  assert.equal(err, '');
  return out;
}

try {
  assert.equal(await run(quick.id, 60_000), 'done: Success\n');
  const out = await run(slow.id, 300);
  const [, executionId] = /^gave up \(the deadline passed\); execution ([0-9a-f-]{36}) was canceled\n$/.exec(out) ?? [];
  assert.ok(executionId, `promise.mjs printed: ${out}`);
  // The program has exited: the cancel reached the server before it did.
  const truth = await server.simulator.handle({ method: 'GET', url: `/api/v1/flows/executions/${executionId}?model=truth`, headers: { 'x-api-key': server.apiKey } });
  assert.match(JSON.parse(String(truth.body)).status, /cancel/i);
  console.log(`promise.mjs: in time → Success; past its deadline → execution canceled (${server.simulator.stats.byRoute.cancel} cancel)`);
} finally {
  await server.close();
}
