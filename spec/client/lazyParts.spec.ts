import { describe, expect, it, jest } from '@jest/globals';
import { FLOW_ID, EXEC_ID } from '../helpers/progress';

// The client loads its engine (calls, schemas, poll loop) at the first subscription that sends
// (lib/internal/loadEngine.ts). Each test takes a fresh copy of the library, in which nothing
// is loaded yet: what a browser app meets on its first call.

type ClientModule = typeof import('../../lib/client');

async function freshLibrary(): Promise<ClientModule> {
  let library!: ClientModule;
  await jest.isolateModulesAsync(async () => {
    library = await import('../../lib/client');
  });
  return library;
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the lazily loaded engine', () => {
  it('sends nothing for a run or watch unsubscribed while the engine loads', async () => {
    const { SmartFlowsClient } = await freshLibrary();
    const fetch = jest.fn(() => new Promise<Response>(() => undefined));
    const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch });
    client.run(FLOW_ID, '<A/>').subscribe().unsubscribe();
    client.watch(EXEC_ID).subscribe().unsubscribe();
    client.runBatch([{ flowId: FLOW_ID, input: '<A/>' }]).subscribe().unsubscribe();
    // The engine has loaded by now (the next calls start at once), and nothing was sent.
    await settled();
    expect(fetch).not.toHaveBeenCalled();
    const sub = client.watch(EXEC_ID).subscribe();
    await settled();
    expect(fetch).toHaveBeenCalledTimes(1);
    sub.unsubscribe();
  });

  it('refuses bad arguments at subscription, synchronously, before the engine is loaded', async () => {
    const { SmartFlowsClient } = await freshLibrary();
    const fetch = jest.fn(() => new Promise<Response>(() => undefined));
    const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch });
    const errors: unknown[] = [];
    client.run('not-a-guid', '<A/>').subscribe({ error: (e: unknown) => errors.push(e) });
    client.watch(EXEC_ID, { onUserInput: 'later' as 'wait' }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors.map((e) => (e as Error).name)).toEqual(['SmartFlowsInputError', 'SmartFlowsInputError']);
    await settled();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refuses input that is not well-formed XML before any request, on the first call too', async () => {
    const { SmartFlowsClient } = await freshLibrary();
    const fetch = jest.fn(() => new Promise<Response>(() => undefined));
    const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch });
    const error = await new Promise<unknown>((resolve) => client.run(FLOW_ID, '<A>').subscribe({ error: resolve }));
    expect(error).toMatchObject({ name: 'SmartFlowsInputError', message: expect.stringContaining('not well-formed XML') });
    expect(fetch).not.toHaveBeenCalled();
  });
});
