// A plain CommonJS script using the packed package: the client against the simulator's HTTP
// server, then the same flow through the msw handlers. Exits non-zero on any difference.
const assert = require('node:assert/strict');
const { setupServer } = require('msw/node');
const { lastValueFrom, toArray } = require('rxjs');
const { SmartFlowsClient, isSmartFlowsHttpError } = require('smart-flows-rx');
const { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY, startSimulatorServer } = require('smart-flows-rx/testing');

const invoiceFlow = {
  id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b11',
  displayName: 'Invoice',
  requiredRoot: 'Invoice',
  stages: [
    { message: 'Merge data', durationMs: 20, percentage: 0 },
    { message: 'Render PDF', durationMs: 20, percentage: 50 },
  ],
  outcome: 'Success',
  documents: [{ displayName: 'Invoice.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4 …' }],
};

async function invoiceRun(client) {
  // An object input: the client loads the smart-flows-rx/xml entry for it.
  const events = await lastValueFrom(client.run(invoiceFlow.id, { Invoice: { Customer: 'ACME' } }, { downloadDocuments: true }).pipe(toArray()));
  const output = events.at(-1);
  assert.equal(output.type, 'output');
  assert.equal(output.documents?.[0]?.fileName, 'Invoice.pdf');
  assert.ok(events.some((e) => e.type === 'progress'));
  const refused = await lastValueFrom(client.run(invoiceFlow.id, '<Letter/>')).catch((e) => e);
  assert.ok(isSmartFlowsHttpError(refused) && refused.status === 400, `expected a 400, got ${refused}`);
}

async function main() {
  const sim = await startSimulatorServer({ port: 0, flows: [invoiceFlow] });
  try {
    await invoiceRun(new SmartFlowsClient({ baseUrl: sim.url, apiKey: sim.apiKey, polling: { intervalMs: 5 } }));
    assert.equal(sim.simulator.stats.executionsStarted, 1);
  } finally {
    await sim.close();
  }

  const simulator = createSimulator({ flows: [invoiceFlow] });
  const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' }));
  server.listen({ onUnhandledRequest: 'error' });
  try {
    await invoiceRun(new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY, polling: { intervalMs: 5 } }));
    assert.equal(simulator.stats.executionsStarted, 1);
  } finally {
    server.close();
  }
  console.log('cjs: HTTP server and msw runs passed');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
