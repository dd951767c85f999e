// Runs the README's Node quick start (quickstart.mjs) as printed against the simulator's HTTP
// server, as its first line says to: a flow that succeeds prints its progress and `done:`, a
// flow that ends in Error prints `flow ended in Error` with the execution id and exits 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSimulatorServer } from 'smart-flows-rx/testing';

const stages = [
  { message: 'Merge data', durationMs: 300, percentage: 0 },
  { message: 'Render PDF', durationMs: 300, percentage: 50 },
];
const invoice = { id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b31', displayName: 'Invoice', stages, outcome: 'Success', documents: [{ displayName: 'Invoice.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4\n%%EOF\n' }] };
const broken = { id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b32', displayName: 'Broken', stages, outcome: 'Error' };
const server = await startSimulatorServer({ seed: 7, flows: [invoice, broken] });

/** Runs `node quickstart.mjs <flowId>` with the two variables set; resolves to its code and output. */
function quickstart(flowId) {
  const env = { ...process.env, SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey };
  const child = spawn(process.execPath, ['quickstart.mjs', flowId], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

try {
  const ok = await quickstart(invoice.id);
  assert.equal(ok.code, 0, `quickstart.mjs exited ${ok.code}: ${ok.err}`);
  assert.match(ok.out, /^0% Running Merge data$/m);
  assert.match(ok.out, /^50% Running Render PDF$/m);
  assert.match(ok.out, /^done: Success /m);
  assert.equal(ok.err, '');

  const failed = await quickstart(broken.id);
  assert.equal(failed.code, 1, `quickstart.mjs exited ${failed.code} for a flow that ends in Error`);
  assert.match(failed.err, /^flow ended in Error [0-9a-f-]{36}$/m);
  console.log('quickstart.mjs: Success and Error flows as printed');
} finally {
  await server.close();
}
