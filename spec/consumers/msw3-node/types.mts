// The README's msw example as types only, checked by tsc against msw 3's own declarations
// (the handlers go into msw 3's setupServer and server.use next to the user's own).
import { http, HttpResponse, type HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { SmartFlowsClient, type ExecutionEvent } from 'smart-flows-rx';
import { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY, type FlowScript, type Simulator } from 'smart-flows-rx/testing';

const invoiceFlow: FlowScript = {
  id: '0e5c2a54-8d0a-4c3e-9b7e-2f1a6c9d4b11',
  displayName: 'Invoice',
  requiredRoot: 'Invoice',
  stages: [{ message: 'Merge data', durationMs: 20, percentage: 0 }],
  outcome: 'Success',
};

const simulator: Simulator = createSimulator({ flows: [invoiceFlow] });
const handlers: HttpHandler[] = createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' });
const server = setupServer(...handlers);
// msw 3's spelling of msw 2's `onUnhandledRequest` (which msw 3's types refuse).
server.listen({ onUnhandledFrame: 'error' });
// The handlers mix with the user's own msw 3 handlers in one server.use call.
server.use(http.get('https://flows.test/health', () => HttpResponse.json({ ok: true })), ...handlers);

export const client = new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY });
export type Event = ExecutionEvent;
