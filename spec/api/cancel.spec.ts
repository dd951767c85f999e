import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { filter, firstValueFrom, lastValueFrom, take } from 'rxjs';
import { FlowExecutionError, SmartFlowsHttpError, SmartFlowsInputError } from '../../lib/index';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';
import { API, testClient, useMswServer, wire } from '../helpers/mswApi';

const server = useMswServer();

/** Records DELETEs on both spellings, answering each with the given status. */
function cancelServer(sdk = 200, guide = 200) {
  const seen: string[] = [];
  let resolveFirst!: () => void;
  const first = new Promise<void>((resolve) => (resolveFirst = resolve));
  const answer = (status: number) => ({ request }: { request: Request }) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    resolveFirst();
    return status === 200 ? HttpResponse.json(wire('Canceled', 40)) : HttpResponse.json({ message: 'no' }, { status });
  };
  server.use(
    http.delete(`${API}/flows/executions/:id/progress`, answer(sdk)),
    http.delete(`${API}/flows/executions/:id`, answer(guide)),
  );
  return { seen, first };
}

const SDK_PATH = `DELETE /api/v1/flows/executions/${EXEC_ID}/progress`;
const GUIDE_PATH = `DELETE /api/v1/flows/executions/${EXEC_ID}`;

describe('cancelExecution', () => {
  it('sends DELETE on the SDK path by default and completes without a value', async () => {
    const { seen } = cancelServer();
    const values: unknown[] = [];
    await lastValueFrom(testClient().cancelExecution(EXEC_ID), { defaultValue: 'none' }).then((v) => values.push(v));
    expect(values).toEqual([undefined]);
    expect(seen).toEqual([SDK_PATH]);
  });

  it("sends DELETE on the API guide path with endpointStyle 'guide'", async () => {
    const { seen } = cancelServer();
    await lastValueFrom(testClient({ endpointStyle: 'guide' }).cancelExecution(EXEC_ID));
    expect(seen).toEqual([GUIDE_PATH]);
  });

  it.each([
    ['sdk', 404, 200, [SDK_PATH, GUIDE_PATH]],
    ['sdk', 405, 200, [SDK_PATH, GUIDE_PATH]],
    ['guide', 200, 404, [GUIDE_PATH, SDK_PATH]],
    ['guide', 200, 405, [GUIDE_PATH, SDK_PATH]],
  ] as const)("falls back once from the '%s' spelling after a %i/%i", async (style, sdk, guide, expected) => {
    const { seen } = cancelServer(sdk, guide);
    await lastValueFrom(testClient({ endpointStyle: style }).cancelExecution(EXEC_ID));
    expect(seen).toEqual(expected);
  });

  it('errors with SmartFlowsHttpError carrying the executionId when both spellings fail', async () => {
    const { seen } = cancelServer(404, 405);
    const error = await lastValueFrom(testClient().cancelExecution(EXEC_ID)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 405, executionId: EXEC_ID });
    expect(seen).toEqual([SDK_PATH, GUIDE_PATH]);
  });

  it('does not fall back on a 409 (a finished execution, say)', async () => {
    const { seen } = cancelServer(409);
    await expect(lastValueFrom(testClient().cancelExecution(EXEC_ID))).rejects.toMatchObject({ status: 409 });
    expect(seen).toEqual([SDK_PATH]);
  });

  it('refuses a bad id before any request', async () => {
    const { seen } = cancelServer();
    await expect(lastValueFrom(testClient().cancelExecution('1 OR 1=1'))).rejects.toBeInstanceOf(SmartFlowsInputError);
    expect(seen).toEqual([]);
  });
});

describe('cancelOnUnsubscribe', () => {
  function runningFlow(finalStatus?: string) {
    server.use(
      http.post(`${API}/flows/executions`, () => HttpResponse.json(wire('Running', 10))),
      http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(finalStatus ? wire(finalStatus, 100) : wire('Running', 20))),
      http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: EXEC_ID, status: finalStatus ?? 'Running', state: {} })),
    );
  }

  it('sends the cancel when the subscriber leaves before the end', async () => {
    runningFlow();
    const { seen, first } = cancelServer();
    // take(2): the start answer and the first changed poll, then the subscriber leaves.
    await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }).pipe(take(2)));
    await first;
    expect(seen).toEqual([SDK_PATH]);
  });

  it('sends no cancel without the option', async () => {
    runningFlow();
    const { seen } = cancelServer();
    await lastValueFrom(testClient().run(FLOW_ID, '<A/>').pipe(take(2)));
    // A request sent at unsubscription would be recorded before a following call answers.
    await firstValueFrom(testClient().getExecution(EXEC_ID));
    expect(seen).toEqual([]);
  });

  it('sends no cancel after the stream ended by itself', async () => {
    runningFlow('Success');
    const { seen } = cancelServer();
    await lastValueFrom(testClient().run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }));
    await firstValueFrom(testClient().getExecution(EXEC_ID));
    expect(seen).toEqual([]);
  });

  it('swallows a failed cancel: nothing reaches the closed stream or the process', async () => {
    runningFlow();
    const { seen, first } = cancelServer(500, 500);
    const errors: unknown[] = [];
    const client = testClient({ retry: { maxRetries: 0, delayMs: 1, jitter: false } });
    await lastValueFrom(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }).pipe(take(2))).catch((e: unknown) => errors.push(e));
    await first;
    await firstValueFrom(client.getExecution(EXEC_ID));
    expect(errors).toEqual([]);
    expect(seen).toEqual([SDK_PATH]);
  });

  it('refuses a cancelOnUnsubscribe that is not a boolean', async () => {
    await expect(lastValueFrom(testClient().run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: 'yes' as never }))).rejects.toBeInstanceOf(SmartFlowsInputError);
  });
});

describe('an execution cancelled elsewhere', () => {
  it('ends run with FlowExecutionError status Canceled, carrying the execution', async () => {
    let canceled = false;
    server.use(
      http.post(`${API}/flows/executions`, () => HttpResponse.json(wire('Running', 10))),
      http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(canceled ? wire('Canceled', 40, { message: 'Canceled by Ada' }) : wire('Running', 40))),
      http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: EXEC_ID, status: 'Canceled', modifiedBy: { displayName: 'Ada' }, state: {} })),
    );
    const error = await lastValueFrom(
      testClient().run(FLOW_ID, '<A/>').pipe(
        filter((e) => {
          if (e.type === 'progress' && e.progress.percentage === 40) canceled = true;
          return true;
        }),
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status: 'Canceled', executionId: EXEC_ID, execution: { modifiedBy: { displayName: 'Ada' } } });
  });

  it('ends watch the same way', async () => {
    server.use(
      http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(wire('cancelled', 40))),
      http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: EXEC_ID, status: 'Canceled' })),
    );
    await expect(lastValueFrom(testClient().watch(EXEC_ID))).rejects.toMatchObject({ name: 'FlowExecutionError', status: 'Canceled' });
  });
});
