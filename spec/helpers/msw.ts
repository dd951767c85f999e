import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, type Observable, toArray } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { EXEC_ID, FLOW_ID } from './progress';

export const BASE = 'https://flows.test';
export const API = `${BASE}/api/v1`;
export const API_KEY = 'sk-test-9f8e7d6c5b4a';
export const PROGRESS_URL = `${API}/flows/executions/${EXEC_ID}/progress`;
export const EXECUTION_URL = `${API}/flows/executions/${EXEC_ID}`;
export const START_URL = `${API}/flows/executions`;
export { EXEC_ID, FLOW_ID };

/** Fast timings for msw tests: every wait is a millisecond or two. */
export const FAST = { polling: { intervalMs: 1, maxIntervalMs: 5 }, retry: { delayMs: 1, jitter: false } } as const;

/** One request the server saw. */
export interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/**
 * An msw server for one spec file (`onUnhandledRequest: 'error'`, handlers reset after each
 * test) with a log of every request it received, so tests can count them.
 */
export function useMswServer() {
  const server = setupServer();
  const requests: Seen[] = [];
  server.events.on('request:start', ({ request }) => {
    // Cloned: the handler reads the body too.
    const copy = request.clone();
    const seen: Seen = { method: request.method, url: request.url, headers: request.headers, body: '' };
    requests.push(seen);
    void copy.text().then((text) => (seen.body = text), () => undefined);
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
  });
  afterAll(() => server.close());
  return { server, requests };
}

/** A client on the test server with fast timings; `overrides` are merged over them. */
export function testClient(overrides: Partial<SmartFlowsClientOptions> = {}): SmartFlowsClient {
  return new SmartFlowsClient({
    baseUrl: BASE,
    apiKey: API_KEY,
    ...FAST,
    ...overrides,
    polling: { ...FAST.polling, ...overrides.polling },
    retry: { ...FAST.retry, ...overrides.retry },
  });
}

/** The error an Observable fails with (fails the test if it does not). */
export async function errorOf(source: Observable<unknown>): Promise<any> {
  try {
    await lastValueFrom(source.pipe(toArray()));
  } catch (error) {
    return error;
  }
  throw new Error('expected the Observable to error, but it completed');
}

/** Every value, once the Observable completes. */
export const valuesOf = <T>(source: Observable<T>): Promise<T[]> => firstValueFrom(source.pipe(toArray()));

/** A progress body as the server writes it. */
export const progressBody = (status: string, percentage = 0, extra: Record<string, unknown> = {}) => ({
  id: EXEC_ID,
  percentage,
  message: `step at ${percentage}`,
  status,
  ...extra,
});

/** A full execution body as the server writes it. */
export const executionBody = (status: string, extra: Record<string, unknown> = {}) => ({
  id: EXEC_ID,
  status,
  createdAt: '2024-05-01T10:00:00Z',
  flow: { id: FLOW_ID, displayName: 'Invoice', type: 'flow' },
  state: { inputData: '<a/>', output: { parts: [] }, stages: [], report: null },
  ...extra,
});
