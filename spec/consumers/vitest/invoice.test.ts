import { setupServer } from 'msw/node';
import { lastValueFrom, toArray } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY, type FlowScript } from 'smart-flows-rx/testing';

// A flow of your own: ids are GUIDs; stages take milliseconds so tests stay fast.
const invoiceFlow: FlowScript = {
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
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => simulator.resetStats());
afterAll(() => server.close());

test('an invoice run ends with its PDF', async () => {
  const client = new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY, polling: { intervalMs: 5 } });
  const events = await lastValueFrom(client.run(invoiceFlow.id, { Invoice: { Customer: 'ACME' } }, { downloadDocuments: true }).pipe(toArray()));
  const output = events.at(-1)!;
  expect(output.type).toBe('output');
  expect(output.type === 'output' && output.documents?.[0]?.fileName).toBe('Invoice.pdf');
  expect(simulator.stats.executionsStarted).toBe(1);
});

test('a wrong root element is refused by the server with 400', async () => {
  const client = new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY });
  await expect(lastValueFrom(client.run(invoiceFlow.id, '<Letter/>'))).rejects.toMatchObject({ name: 'SmartFlowsHttpError', status: 400 });
});
