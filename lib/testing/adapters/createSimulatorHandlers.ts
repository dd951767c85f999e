import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Simulator } from '../Simulator.js';
import type { SimulatorResponse } from '../types.js';

/** Options of {@link createSimulatorHandlers}. */
export interface SimulatorHandlersOptions {
  /** The origin (and path prefix) the client uses; `/api/v1` is appended. @default any origin */
  baseUrl?: string;
}

/**
 * msw request handlers that answer `{baseUrl}/api/v1/*` from a simulator, for
 * `setupServer` (Node) or `setupWorker` (browser). A dropped-connection fault becomes
 * `HttpResponse.error()`, which `fetch` reports as a network error.
 *
 * @param simulator - The simulator that answers.
 * @param options - Where the handlers listen.
 * @returns Handlers to pass to `setupServer(...)` or `server.use(...)`.
 * @example
 * const simulator = createSimulator({ clock: createVirtualClock() });
 * const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' }));
 */
export function createSimulatorHandlers(simulator: Simulator, options: SimulatorHandlersOptions = {}): HttpHandler[] {
  const base = options.baseUrl ? options.baseUrl.replace(/\/+$/, '') : '*';
  return [
    http.all(`${base}/api/v1/*`, async ({ request }) => {
      const body = new Uint8Array(await request.arrayBuffer());
      const answer = await simulator.handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body,
        signal: request.signal,
      });
      if (answer.reset) return HttpResponse.error();
      return new HttpResponse(toBody(simulator, answer, request.signal), { status: answer.status, headers: answer.headers });
    }),
  ];
}

/** The body as msw takes it; a slow body streams its second half after the delay. */
function toBody(simulator: Simulator, answer: SimulatorResponse, signal: AbortSignal): BodyInit | null {
  if (answer.body === undefined) return null;
  const bytes = typeof answer.body === 'string' ? new TextEncoder().encode(answer.body) : answer.body;
  if (!answer.bodyDelayMs) return bytes as Uint8Array<ArrayBuffer>;
  const half = Math.floor(bytes.length / 2);
  const delayMs = answer.bodyDelayMs;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.slice(0, half));
      if (await simulator.wait(delayMs, signal)) {
        controller.enqueue(bytes.slice(half));
        controller.close();
      } else {
        controller.error(new Error('The simulator stopped before the body was sent'));
      }
    },
  });
}
