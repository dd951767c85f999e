import { DOCUMENTED_SPELLINGS } from '../helpers/progress';
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { firstValueFrom } from 'rxjs';
import { FlowExecutionError } from '../../lib/errors';
import type { ExecutionEvent } from '../../lib/api/types';
import {
  errorOf,
  EXEC_ID,
  EXECUTION_URL,
  executionBody,
  FLOW_ID,
  PROGRESS_URL,
  progressBody,
  START_URL,
  testClient,
  useMswServer,
  valuesOf,
} from '../helpers/msw';

const { server, requests } = useMswServer();

/** The server answers the start with the first body, then each poll with the next (the last repeats). */
function script(bodies: Record<string, unknown>[], execution: Record<string, unknown> = executionBody('Success')) {
  let i = 0;
  server.use(
    http.post(START_URL, () => HttpResponse.json(bodies[0])),
    http.get(PROGRESS_URL, () => HttpResponse.json(bodies[Math.min(++i, bodies.length - 1)])),
    http.get(EXECUTION_URL, () => HttpResponse.json(execution)),
  );
}

const summary = (events: ExecutionEvent[]) =>
  events.map((e) => (e.type === 'output' ? `output ${e.execution.status}` : `${e.progress.status} ${e.progress.percentage}`));

describe('status spellings on the wire', () => {
  it.each<[string, string]>([
    ...DOCUMENTED_SPELLINGS,
    ['Paused for audit', 'Unknown'],
  ])('reads %j as %s and keeps the spelling in rawStatus', async (raw, status) => {
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody(raw))));
    expect(await firstValueFrom(testClient().getProgress(EXEC_ID))).toMatchObject({ status, rawStatus: raw });
  });
});

describe('run over HTTP', () => {
  it.each([
    ['Success', 'Success'],
    ['success', 'Success'],
    ['Warning', 'Warning'],
    ['WARNING', 'Warning'],
  ])('emits progress, then one output event at %s, and completes', async (end, status) => {
    script([progressBody('Running', 0), progressBody('Running', 50), progressBody(end, 100)], executionBody(end));
    const events = await valuesOf(testClient().run(FLOW_ID, '<a/>'));
    const last = events.at(-1)!;
    expect(summary(events)).toEqual(['Running 0', 'Running 50', `${status} 100`, `output ${status}`]);
    expect(last).toMatchObject({ type: 'output', executionId: EXEC_ID, execution: { id: EXEC_ID, rawStatus: end } });
    expect(requests.map((r) => r.method + ' ' + new URL(r.url).pathname.replace(/^\/api\/v1/, ''))).toEqual([
      'POST /flows/executions',
      `GET /flows/executions/${EXEC_ID}/progress`,
      `GET /flows/executions/${EXEC_ID}/progress`,
      `GET /flows/executions/${EXEC_ID}`,
    ]);
  });

  it.each([
    ['Error', 'Error'],
    ['error', 'Error'],
    ['Canceled', 'Canceled'],
    ['Cancelled', 'Canceled'],
    ['Interrupted', 'Interrupted'],
  ])('errors with FlowExecutionError carrying status, progress, execution and executionId at %s', async (raw, status) => {
    script([progressBody('Running', 0), progressBody(raw, 40, { message: 'template missing' })], executionBody(raw, { state: { report: 'block 3 failed' } }));
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({
      status,
      executionId: EXEC_ID,
      progress: { id: EXEC_ID, status, rawStatus: raw, percentage: 40, message: 'template missing' },
      execution: { id: EXEC_ID, status, state: { report: 'block 3 failed' } },
    });
    expect(error.message).toContain('template missing');
  });

  it('still errors with FlowExecutionError when the failed execution cannot be fetched', async () => {
    script([progressBody('Running'), progressBody('Error', 10)]);
    server.use(http.get(EXECUTION_URL, () => new HttpResponse(null, { status: 404 })));
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>'));
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error.execution).toBeUndefined();
    expect(error.executionId).toBe(EXEC_ID);
  });

  it('ends at once, without polling, when the start answer is already final', async () => {
    script([progressBody('Success', 100)]);
    const events = await valuesOf(testClient().run(FLOW_ID, '<a/>'));
    expect(summary(events)).toEqual(['Success 100', 'output Success']);
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('treats an unknown status as still running and keeps polling', async () => {
    script([progressBody('Running', 0), progressBody('Paused for audit', 30), progressBody('Paused for audit', 60), progressBody('Success', 100)]);
    const events = await valuesOf(testClient().run(FLOW_ID, '<a/>'));
    expect(summary(events)).toEqual(['Running 0', 'Unknown 30', 'Unknown 60', 'Success 100', 'output Success']);
    expect(events[1]!.progress.rawStatus).toBe('Paused for audit');
  });

  it('emits a progress event only when status, percentage or message change', async () => {
    script([progressBody('Queued', 0), progressBody('Queued', 0), progressBody('Running', 0), progressBody('Running', 0), progressBody('Success', 100)]);
    expect(summary(await valuesOf(testClient().run(FLOW_ID, '<a/>')))).toEqual(['Queued 0', 'Running 0', 'Success 100', 'output Success']);
  });

  it.each(['User input', 'UserInput', 'User Input', 'USER_INPUT', 'SelectFlow'])('errors at %j with FlowExecutionError under onUserInput: error', async (raw) => {
    script([progressBody('Running'), progressBody(raw, 20)]);
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>', { onUserInput: 'error' }));
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error.progress.rawStatus).toBe(raw);
    expect(error.executionId).toBe(EXEC_ID);
  });

  it('keeps the stream open at UserInput by default, still polling', async () => {
    script([progressBody('Running'), progressBody('User input', 20)]);
    let polls = 0;
    let onRequest: (e: { request: Request }) => void = () => undefined;
    const polledThrice = new Promise<void>((resolve) => {
      onRequest = ({ request }) => {
        if (request.method === 'GET' && ++polls === 3) resolve();
      };
      server.events.on('request:start', onRequest);
    });
    const events: ExecutionEvent[] = [];
    let ended = false;
    const subscription = testClient({ polling: { idleIntervalMs: 1 } })
      .run(FLOW_ID, '<a/>')
      .subscribe({ next: (e) => events.push(e), error: () => (ended = true), complete: () => (ended = true) });
    await polledThrice;
    subscription.unsubscribe();
    server.events.removeListener('request:start', onRequest);
    expect(summary(events)).toEqual(['Running 0', 'UserInput 20']);
    expect(ended).toBe(false);
  });

  it('gives a retried poll that finally fails the executionId', async () => {
    script([progressBody('Running')]);
    server.use(http.get(PROGRESS_URL, () => new HttpResponse(null, { status: 503 })));
    const error = await errorOf(testClient({ retry: { maxRetries: 1 } }).run(FLOW_ID, '<a/>'));
    expect(error.status).toBe(503);
    expect(error.executionId).toBe(EXEC_ID);
  });
});
