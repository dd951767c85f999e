// Runs the README's tracking.mjs as printed against the simulator's HTTP server and checks what
// it printed and what the server saw: the batch and the run ended right, and the 1,000 live
// executions were followed by listing requests, not by a progress request each.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSimulatorServer } from 'smart-flows-rx/testing';

const letter = {
  id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b22',
  displayName: 'Letter',
  stages: [
    { message: 'Merge data', durationMs: 1500, percentage: 0 },
    { message: 'Render PDF', durationMs: 1500, percentage: 50 },
  ],
  outcome: 'Success',
};
const server = await startSimulatorServer({ seed: 5, flows: [letter] });
try {
  const env = { ...process.env, SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey, FLOW_ID: letter.id };
  const child = spawn(process.execPath, ['tracking.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `tracking.mjs exited ${code}: ${err}`);
  assert.match(out, /^batch: 1000 succeeded, 0 failed$/m);
  assert.match(out, /^run: Success, watch: output$/m);
  assert.equal(err, '', `the tracker fell back: ${err}`);
  const stats = server.simulator.stats.byRoute;
  assert.equal(stats.start, 1001);
  // Followed through the listing: far fewer progress requests than executions (polling would
  // send a few per execution), and a few listing requests for all of them.
  assert.ok((stats.progress ?? 0) < 100, `progress requests: ${stats.progress}`);
  assert.ok((stats.list ?? 0) > 0 && stats.list < 100, `listing requests: ${stats.list}`);
  console.log(`tracking.mjs: ${stats.start} starts, ${stats.progress} progress, ${stats.list} listing requests`);
} finally {
  await server.close();
}
