import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { filter, firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { FlowExecutionError, SmartFlowsInputError } from '../../lib/index';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';
import { API, testClient, useMswServer, wire } from '../helpers/mswApi';

const server = useMswServer();
const form = {
  schema: { type: 'object', properties: { approved: { type: 'boolean', title: 'Approved' } } },
  model: { approved: false },
  form: [{ key: 'approved' }],
};

/** A flow that waits in `User input` until `answered` is set, then ends in Success. */
function pausedFlow() {
  const state = { answered: false, posted: [] as unknown[], contentTypes: [] as (string | null)[], starts: [] as string[] };
  server.use(
    http.post(`${API}/flows/executions`, ({ request }) => {
      state.starts.push(new URL(request.url).pathname);
      return HttpResponse.json(wire('Running', 10));
    }),
    http.post(`${API}/flows/executions/start`, ({ request }) => {
      state.starts.push(new URL(request.url).pathname);
      return HttpResponse.json(wire('Running', 10));
    }),
    http.get(`${API}/flows/executions/:id/progress`, () =>
      HttpResponse.json(state.answered ? wire('Success', 100) : wire('User input', 50, form)),
    ),
    http.post(`${API}/flows/executions/:id/progress`, async ({ request }) => {
      state.posted.push(await request.json());
      state.contentTypes.push(request.headers.get('content-type'));
      state.answered = true;
      return HttpResponse.json(wire('Running', 60));
    }),
    http.get(`${API}/flows/executions/:id`, () => HttpResponse.json({ id: EXEC_ID, status: 'Success', state: {} })),
  );
  return state;
}

describe('submitUserInput', () => {
  it('POSTs the values as JSON to the progress call and gives the new progress', async () => {
    const state = pausedFlow();
    const progress = await firstValueFrom(testClient().submitUserInput(EXEC_ID, { approved: true, comment: 'ok' }));
    expect(state.posted).toEqual([{ approved: true, comment: 'ok' }]);
    expect(state.contentTypes[0]).toMatch(/^application\/json/);
    expect(progress).toMatchObject({ id: EXEC_ID, status: 'Running', percentage: 60 });
  });

  it.each([
    ['an array', [1], EXEC_ID],
    ['null', null, EXEC_ID],
    ['a string', 'approved=true', EXEC_ID],
    ['a bad id', {}, '../../admin'],
  ])('refuses %s with SmartFlowsInputError before any request', async (_, values, id) => {
    const state = pausedFlow();
    const error = await firstValueFrom(testClient().submitUserInput(id, values as Record<string, unknown>)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(state.posted).toEqual([]);
  });
});

describe('run paused on UserInput', () => {
  it('goes on by itself once this client submits the form, without waiting for the idle poll', async () => {
    pausedFlow();
    // A one-minute idle cadence: only the nudge of submitUserInput can make this test end.
    const client = testClient({ polling: { intervalMs: 1, maxIntervalMs: 5, idleIntervalMs: 60_000 } });
    const events = await lastValueFrom(
      client.run(FLOW_ID, '<Quote/>').pipe(
        tap((e) => {
          if (e.type === 'progress' && e.progress.status === 'UserInput') client.submitUserInput(e.executionId, { approved: true }).subscribe();
        }),
        toArray(),
      ),
    );
    expect(events.map((e) => (e.type === 'output' ? 'output' : e.progress.status))).toEqual(['Running', 'UserInput', 'Success', 'output']);
  });

  it('goes on by itself when the input is given elsewhere (another app, another process)', async () => {
    const state = pausedFlow();
    const events = await lastValueFrom(
      testClient().run(FLOW_ID, '<Quote/>').pipe(
        tap((e) => {
          // Someone else answers the form: this client sends nothing.
          if (e.type === 'progress' && e.progress.status === 'UserInput') state.answered = true;
        }),
        toArray(),
      ),
    );
    expect(events.at(-1)?.type).toBe('output');
    expect(state.posted).toEqual([]);
  });

  it('carries schema, model and form on the UserInput event', async () => {
    pausedFlow();
    const paused = await firstValueFrom(testClient().run(FLOW_ID).pipe(filter((e) => e.type === 'progress' && e.progress.status === 'UserInput')));
    expect(paused.progress).toMatchObject({ status: 'UserInput', rawStatus: 'User input', ...form });
  });

  it.each([
    ['User input', 'UserInput'],
    ['SelectFlow', 'SelectFlow'],
  ])("ends with FlowExecutionError on '%s' when onUserInput is 'error'", async (raw, status) => {
    let cancels = 0;
    server.use(
      http.post(`${API}/flows/executions`, () => HttpResponse.json(wire('Running'))),
      http.get(`${API}/flows/executions/:id/progress`, () => HttpResponse.json(wire(raw, 30, form))),
      http.delete(`${API}/flows/executions/:id/progress`, () => {
        cancels++;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const error = await lastValueFrom(testClient().run(FLOW_ID, '<Quote/>', { onUserInput: 'error' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status, executionId: EXEC_ID });
    expect((error as FlowExecutionError).progress.schema).toEqual(form.schema);
    expect(cancels).toBe(0);
  });
});

describe('skipUserInput', () => {
  it('starts run with POST /flows/executions/start', async () => {
    const state = pausedFlow();
    state.answered = true;
    await lastValueFrom(testClient().run(FLOW_ID, undefined, { skipUserInput: true }));
    expect(state.starts).toEqual(['/api/v1/flows/executions/start']);
  });

  it('starts startExecution with POST /flows/executions/start, and without it the plain start', async () => {
    const state = pausedFlow();
    await firstValueFrom(testClient().startExecution(FLOW_ID, '<Quote/>', { skipUserInput: true }));
    await firstValueFrom(testClient().startExecution(FLOW_ID, '<Quote/>'));
    expect(state.starts).toEqual(['/api/v1/flows/executions/start', '/api/v1/flows/executions']);
  });

  it('refuses a skipUserInput that is not a boolean before any request', async () => {
    const state = pausedFlow();
    const error = await firstValueFrom(testClient().startExecution(FLOW_ID, undefined, { skipUserInput: 'yes' as never })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(state.starts).toEqual([]);
  });
});
