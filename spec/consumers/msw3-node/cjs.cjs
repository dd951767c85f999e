// The README's msw example under msw 3, as a plain CommonJS script using the packed package.
// msw 3 ships only ES modules: `require('msw/node')` works through require(esm), unflagged
// from Node 22.12. Exits non-zero on any difference.
const assert = require('node:assert/strict');
const { setupServer } = require('msw/node');
const { lastValueFrom, toArray } = require('rxjs');
const { SmartFlowsClient } = require('smart-flows-rx');
const { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY } = require('smart-flows-rx/testing');

const msw = require('msw/package.json').version;
assert.equal(msw.split('.')[0], '3', `expected msw 3, found ${msw}`);

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

async function main() {
  const simulator = createSimulator({ flows: [invoiceFlow] });
  const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' }));
  server.listen({ onUnhandledFrame: 'error' });
  try {
    const client = new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY, polling: { intervalMs: 5 } });
    const events = await lastValueFrom(client.run(invoiceFlow.id, { Invoice: { Customer: 'ACME' } }, { downloadDocuments: true }).pipe(toArray()));
    const output = events.at(-1);
    assert.equal(output.type, 'output');
    assert.equal(output.documents?.[0]?.fileName, 'Invoice.pdf');
    assert.equal(simulator.stats.executionsStarted, 1);

    const refused = await lastValueFrom(client.run(invoiceFlow.id, '<Letter/>')).catch((e) => e);
    assert.equal(refused?.name, 'SmartFlowsHttpError');
    assert.equal(refused.status, 400);
  } finally {
    server.close();
  }
  console.log(`msw3 cjs: passed (msw ${msw}, Node ${process.version})`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
