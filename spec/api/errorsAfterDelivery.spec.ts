import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import type { Observable } from 'rxjs';
import { SmartFlowsClient } from '../../lib/index';
import { API, BASE, useMswServer } from '../helpers/mswApi';

const server = useMswServer();
const FLOW = '0f0e0d0c-0b0a-4900-8800-000000000001';
const A = '6de9206a-de42-4182-8f86-a9a8d29fbd5a';
const B = '6de9206a-de42-4182-8f86-a9a8d29fbd5b';

/** What a subscriber saw of its error when it was delivered, and the error itself. */
interface Delivered {
  error: any;
  atDelivery: { message: string; stackHead: string; executionId: unknown; executionMayExist: unknown };
}

const deliveredError = (source: Observable<unknown>) =>
  new Promise<Delivered>((resolve) =>
    source.subscribe({
      error: (error: any) =>
        resolve({
          error,
          atDelivery: { message: error.message, stackHead: String(error.stack).split('\n')[0]!, executionId: error.executionId, executionMayExist: error.executionMayExist },
        }),
    }),
  );

describe('errors are not changed after delivery', () => {
  it('gives each request of a shared failed login its own error, and changes none after it was delivered', async () => {
    // withLogin shares one login between concurrent requests: its failure reaches all three.
    server.use(
      http.post(`${API}/authenticate/login`, async () => {
        await delay(20);
        return new HttpResponse('auth server down', { status: 500 });
      }),
    );
    const client = SmartFlowsClient.withLogin({ baseUrl: BASE, retry: { maxRetries: 0 } }, { username: 'ada', password: 'pw' });
    const [a, b, start] = await Promise.all([
      deliveredError(client.getProgress(A)),
      deliveredError(client.getProgress(B)),
      deliveredError(client.startExecution(FLOW, '<a/>')),
    ]);
    // Each carries its own execution, the class and fields users rely on.
    expect(a.error).toMatchObject({ name: 'SmartFlowsHttpError', status: 500, executionId: A });
    expect(b.error).toMatchObject({ name: 'SmartFlowsHttpError', status: 500, executionId: B });
    // The start was never sent (its login failed): nothing may exist on the server.
    expect(start.error.executionMayExist).toBeUndefined();
    for (const seen of [a, b, start]) {
      // Nothing changed after delivery, and the stack tells the message the error has.
      expect({ message: seen.error.message, stackHead: String(seen.error.stack).split('\n')[0], executionId: seen.error.executionId, executionMayExist: seen.error.executionMayExist }).toEqual(seen.atDelivery);
      expect(seen.atDelivery.stackHead).toBe(`${seen.error.name}: ${seen.error.message}`);
    }
  });

  it('builds the start error that may have started something with its note at construction', async () => {
    server.use(http.post(`${API}/flows/executions`, () => new HttpResponse('boom', { status: 500 })));
    const client = new SmartFlowsClient({ baseUrl: BASE, apiKey: 'k', retry: { maxRetries: 0 } });
    const { error, atDelivery } = await deliveredError(client.startExecution(FLOW, '<a/>'));
    expect(error).toMatchObject({ name: 'SmartFlowsHttpError', status: 500, executionMayExist: true });
    expect(error.message).toMatch(/status 500: POST .*an execution may exist/);
    expect(atDelivery.stackHead).toBe(`SmartFlowsHttpError: ${error.message}`);
  });

  it('files a token function that fails at run time (auth server down) as SmartFlowsAuthError with the cause', async () => {
    const down = new TypeError('fetch failed: ECONNREFUSED auth.example.com');
    const client = new SmartFlowsClient({ baseUrl: BASE, bearerToken: () => Promise.reject(down) });
    const { error } = await deliveredError(client.getProgress(A));
    expect(error).toMatchObject({ name: 'SmartFlowsAuthError', executionId: A });
    expect(error.cause).toBe(down);
  });
});
