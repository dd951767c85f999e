// Runs the README's "Bounding a stuck execution" snippet as printed (bounded-run.snippet.mjs,
// with bounded-run-context.mjs giving it its client, at 100× time) against the simulator's HTTP
// server, and checks what the server saw: a flow stuck in one long stage is cancelled after the
// snippet's 15 minutes (9 s here), and a flow that asks for a form ends at once, not cancelled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer } from 'smart-flows-rx/testing';

const FACTOR = 100;
const stuck = {
  id: '5b8f0d7e-3c1a-4e2b-9f6d-7a4c2e1b0d93',
  displayName: 'Stuck',
  stages: [{ message: 'Waiting for the printer', durationMs: 24 * 3_600_000, percentage: 10 }],
  outcome: 'Success',
};
// No long poll: each progress call answered at once, so the polls follow the client's (faster) timers.
const server = await startSimulatorServer({ seed: 3, flows: [stuck, builtInFlows.userInput], progressHold: { mode: 'ignore', defaultSeconds: 0 } });
const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });

/** Runs the snippet for one flow; resolves with its exit code, output and real duration (bounded). */
function runSnippet(flowId) {
  const started = Date.now();
  const env = { ...process.env, SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey, FLOW_ID: flowId, TIME_FACTOR: String(FACTOR) };
  const child = spawn(process.execPath, ['--import', './bounded-run-context.mjs', 'bounded-run.snippet.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const limit = setTimeout(() => child.kill(), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

try {
  // 1. Stuck: the timeout ends the stream after 15 (fast) minutes; the snippet cancels the execution.
  const before = { ...server.simulator.stats.byRoute };
  const first = await runSnippet(stuck.id);
  assert.equal(first.code, 0, `the snippet exited ${first.code}: ${first.output}`);
  const stats = server.simulator.stats.byRoute;
  assert.equal(stats.start - (before.start ?? 0), 1, 'one start');
  assert.equal((stats.cancel ?? 0) - (before.cancel ?? 0), 1, 'one cancel');
  const timeoutMs = 15 * 60_000;
  assert.ok(first.ms >= (timeoutMs / FACTOR) * 0.9, `ended after ${first.ms} ms of real time, before the timeout (${timeoutMs / FACTOR} ms)`);
  const stuckId = server.simulator.requests.find((r) => r.route === 'cancel')?.path.match(/[0-9a-f]{8}-[0-9a-f-]{27}/)?.[0];
  assert.ok(stuckId, 'the cancel named no execution');
  const progress = await lastValueFrom(client.getProgress(stuckId));
  assert.equal(progress.status, 'Canceled', `the stuck execution is ${progress.status}`);

  // 2. A form nobody fills: onUserInput 'error' ends the stream at once (FlowExecutionError), no cancel.
  const second = await runSnippet(builtInFlows.userInput.id);
  assert.equal(second.code, 0, `the snippet exited ${second.code}: ${second.output}`);
  assert.equal(server.simulator.stats.byRoute.cancel, stats.cancel, 'a form that waits is not cancelled by the snippet');
  assert.ok(second.ms < first.ms / 2, `the form case took ${second.ms} ms`);
  console.log(`bounded-run snippet: stuck flow cancelled after ${(first.ms / 1000).toFixed(1)} s (15 min at ${FACTOR}×), form flow ended in ${(second.ms / 1000).toFixed(1)} s without a cancel`);
} finally {
  await server.close();
}
