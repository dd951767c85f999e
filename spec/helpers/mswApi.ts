import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer } from 'msw/node';
import { SmartFlowsClient, type SmartFlowsClientOptions } from '../../lib/index';

export const BASE = 'https://flows.test';
export const API = `${BASE}/api/v1`;
export const DOC_ID = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
export const DOC_ID_2 = '0b4c3d2e-1f00-4a00-8000-00000000d0c2';

/** An msw server for one spec file: listening, reset after each test, closed at the end. */
export function useMswServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A client with fast timings for tests. */
export function testClient(options: Partial<SmartFlowsClientOptions> = {}): SmartFlowsClient {
  return new SmartFlowsClient({
    baseUrl: BASE,
    apiKey: 'test-key',
    polling: { intervalMs: 1, maxIntervalMs: 5, idleIntervalMs: 5 },
    retry: { delayMs: 1, jitter: false, maxRetries: 2 },
    ...options,
  });
}

/** A wire-format progress object. */
export function wire(status: string, percentage = 0, extra: Record<string, unknown> = {}, id = '6de9206a-de42-4182-8f86-a9a8d29fbd56') {
  return { id, percentage, message: '', status, ...extra };
}
