// The README's msw example under msw 3, as a plain Node ES module using the packed package:
// the simulator's msw handlers in msw 3's setupServer, an invoice run to its PDF, then a
// refused root element. Exits non-zero on any difference.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setupServer } from 'msw/node';
import { lastValueFrom, toArray } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY } from 'smart-flows-rx/testing';

const msw = JSON.parse(readFileSync(new URL('./node_modules/msw/package.json', import.meta.url), 'utf8')).version;
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
console.log(`msw3 esm: passed (msw ${msw}, Node ${process.version})`);
