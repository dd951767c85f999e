import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { API, errorOf, EXEC_ID, FLOW_ID, PROGRESS_URL, progressBody, START_URL, testClient, useMswServer, valuesOf } from '../helpers/msw';

const { server, requests } = useMswServer();

describe('requests that must not be sent twice', () => {
  it('submitUserInput is not retried after a 500: the form may have been taken', async () => {
    server.use(http.post(PROGRESS_URL, () => HttpResponse.json({ message: 'boom' }, { status: 500 })));
    const error = await errorOf(testClient({ retry: { maxRetries: 3 } }).submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ name: 'SmartFlowsHttpError', status: 500, executionId: EXEC_ID });
    expect(requests).toHaveLength(1);
  });

  it('submitUserInput after a 500, a 502 or a reset after sending: the error says the answer may have been taken', async () => {
    server.use(http.post(PROGRESS_URL, () => HttpResponse.json({ message: 'boom' }, { status: 502 })));
    const error = await errorOf(testClient({ retry: { maxRetries: 3 } }).submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ status: 502, answerMayBeTaken: true });
    expect(error.message).toMatch(/may have been taken/);
    expect(requests).toHaveLength(1);
  });

  it('submitUserInput answered 400 or 404: nothing was taken, the error says nothing of it', async () => {
    server.use(http.post(PROGRESS_URL, () => HttpResponse.json({ message: 'not waiting' }, { status: 400 })));
    const error = await errorOf(testClient().submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ status: 400 });
    expect(error.answerMayBeTaken).toBeUndefined();
  });
});

// A form answer answered 429 or 503 is not sent again blind (a gateway may answer 503 after the
// backend took the values: a blind resend filled the next form with them, or failed although the
// answer was taken). After the backoff one progress GET, sent once, decides.
describe('a form answer answered busy (429, 503)', () => {
  const formA = {
    schema: { type: 'object', properties: { approved: { type: 'boolean' } } },
    model: { approved: false },
    form: [{ key: 'approved' }],
  };
  const formB = { schema: { type: 'object', properties: { comment: { type: 'string' } } }, model: { comment: '' }, form: [{ key: 'comment' }] };

  /** A flow waiting on form A, then on form B, then running; `busy` scripts the form POSTs' answers: taken or not, then answered `status`. */
  function twoForms(plan: { busy: { status: number; taken: boolean }[]; readStatus?: number }) {
    const state = { stage: 0, posted: [] as unknown[], reads: 0 };
    const answer = () => (state.stage === 0 ? progressBody('User input', 40, formA) : state.stage === 1 ? progressBody('User input', 70, formB) : progressBody('Running', 90));
    server.use(
      http.get(PROGRESS_URL, () => {
        state.reads++;
        return plan.readStatus !== undefined && state.reads > 1 ? HttpResponse.json({ message: 'busy' }, { status: plan.readStatus }) : HttpResponse.json(answer());
      }),
      http.post(PROGRESS_URL, async ({ request }) => {
        const script = plan.busy.shift();
        if (!script || script.taken) {
          state.posted.push(await request.json());
          state.stage++;
        }
        return script ? HttpResponse.json({ message: 'busy' }, { status: script.status }) : HttpResponse.json(answer());
      }),
    );
    return state;
  }

  it.each([503, 429])('a %i before the server took anything: one read shows the same form, the values are sent again: taken once', async (status) => {
    const state = twoForms({ busy: [{ status, taken: false }] });
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const [progress] = await valuesOf(client.submitUserInput(EXEC_ID, { approved: true }));
    expect(state.posted).toEqual([{ approved: true }]);
    expect(progress).toMatchObject({ status: 'UserInput', percentage: 70, schema: formB.schema });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('a 503 after the server took the values, the flow on its next form: the call answers with that form, nothing sent again (form B never gets form A\'s values)', async () => {
    const state = twoForms({ busy: [{ status: 503, taken: true }] });
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const [progress] = await valuesOf(client.submitUserInput(EXEC_ID, { approved: true }));
    expect(state.posted).toEqual([{ approved: true }]);
    expect(progress).toMatchObject({ status: 'UserInput', percentage: 70, schema: formB.schema });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('a 503 after the server took the values, the flow running on: that progress, no error, nothing sent again', async () => {
    const state = twoForms({ busy: [{ status: 503, taken: true }] });
    state.stage = 1;
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const [progress] = await valuesOf(client.submitUserInput(EXEC_ID, { comment: 'ok' }));
    expect(progress).toMatchObject({ status: 'Running', percentage: 90 });
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('the read fails (503, sent once, not retried): nothing sent again, the busy error with answerMayBeTaken', async () => {
    const state = twoForms({ busy: [{ status: 503, taken: true }], readStatus: 503 });
    const client = testClient({ retry: { maxRetries: 4 } });
    await valuesOf(client.getProgress(EXEC_ID));
    const error = await errorOf(client.submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ name: 'SmartFlowsHttpError', status: 503, executionId: EXEC_ID, answerMayBeTaken: true });
    expect(state.posted).toHaveLength(1);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('a form this client never read (no progress of it seen): a read still waiting for input cannot tell, nothing sent again', async () => {
    const state = twoForms({ busy: [{ status: 503, taken: true }] });
    const error = await errorOf(testClient().submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ status: 503, answerMayBeTaken: true });
    expect(state.posted).toHaveLength(1);
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('busy answers up to retry.maxRetries, one read each; after the last: the busy error, saying nothing was taken', async () => {
    const state = twoForms({ busy: [0, 1, 2, 3, 4].map(() => ({ status: 503, taken: false })) });
    const client = testClient({ retry: { maxRetries: 2 } });
    await valuesOf(client.getProgress(EXEC_ID));
    const error = await errorOf(client.submitUserInput(EXEC_ID, { approved: true }));
    expect(error).toMatchObject({ status: 503 });
    expect(error.answerMayBeTaken).toBeUndefined();
    expect(state.posted).toEqual([]);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST', 'GET', 'POST', 'GET']);
  });
});

// What decides after a busy answer is every field the client keeps of the progress, against the
// form's own waiting status (UserInput or SelectFlow); the values are written once per call.
describe('a form answer answered busy: the read compared in full, the body written once', () => {
  const formA = { schema: { type: 'object', properties: { name: { type: 'string' } } }, model: { name: '' }, form: [{ key: 'name' }] };

  /** A flow waiting on `stages` in turn (progress bodies), then running; `busy` scripts the form POSTs' answers: taken or not, then answered `status`. */
  function flow(stages: Record<string, unknown>[], busy: { status: number; taken: boolean }[]) {
    const state = { stage: 0, posted: [] as string[] };
    const answer = () => stages[state.stage] ?? progressBody('Running', 90);
    server.use(
      http.get(PROGRESS_URL, () => HttpResponse.json(answer())),
      http.post(PROGRESS_URL, async ({ request }) => {
        const body = await request.text();
        const script = busy.shift();
        if (!script || script.taken) {
          state.posted.push(body);
          state.stage++;
        }
        return script ? HttpResponse.json({ message: 'busy' }, { status: script.status }) : HttpResponse.json(answer());
      }),
    );
    return state;
  }

  it('a 503 after the server took the values, the next form the same but for its formInstanceId: that form, the values not sent again', async () => {
    const state = flow([progressBody('User input', 40, { ...formA, formInstanceId: 'step-0' }), progressBody('User input', 40, { ...formA, formInstanceId: 'step-1' })], [{ status: 503, taken: true }]);
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const [progress] = await valuesOf(client.submitUserInput(EXEC_ID, { name: 'Alice' }));
    expect(state.posted).toEqual(['{"name":"Alice"}']);
    expect(progress).toMatchObject({ status: 'UserInput', formInstanceId: 'step-1' });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('a 503 after the server took the values, the next form the same but for its modifiedAt: cannot tell, nothing sent again, answerMayBeTaken', async () => {
    const state = flow([progressBody('User input', 40, { ...formA, modifiedAt: 't0' }), progressBody('User input', 40, { ...formA, modifiedAt: 't1' })], [{ status: 503, taken: true }]);
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const error = await errorOf(client.submitUserInput(EXEC_ID, { name: 'Alice' }));
    expect(error).toMatchObject({ status: 503, answerMayBeTaken: true });
    expect(state.posted).toHaveLength(1);
  });

  it('waiting at SelectFlow, a 503 before the server took anything: the read shows the same SelectFlow, the answer is sent again (not "moved on")', async () => {
    const state = flow([progressBody('SelectFlow', 30, { flows: [{ id: 'f1' }] })], [{ status: 503, taken: false }]);
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    const [progress] = await valuesOf(client.submitUserInput(EXEC_ID, { flowId: 'f1' }));
    expect(state.posted).toEqual(['{"flowId":"f1"}']);
    expect(progress).toMatchObject({ status: 'Running' });
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('waiting at SelectFlow this client never read: a read still at SelectFlow cannot tell, nothing sent again, answerMayBeTaken', async () => {
    const state = flow([progressBody('SelectFlow', 30)], [{ status: 503, taken: false }]);
    const error = await errorOf(testClient().submitUserInput(EXEC_ID, { flowId: 'f1' }));
    expect(error).toMatchObject({ status: 503, answerMayBeTaken: true });
    expect(state.posted).toEqual([]);
  });

  it('values the caller edits during the wait: the resend sends exactly the first body', async () => {
    const values = { name: 'Alice' };
    const state = flow([progressBody('User input', 40, formA)], []);
    // The first POST's answer (503, nothing taken) edits the caller's object (a bound form model) before the resend.
    server.use(http.post(PROGRESS_URL, () => ((values.name = 'Mallory'), HttpResponse.json({ message: 'busy' }, { status: 503 })), { once: true }));
    const client = testClient();
    await valuesOf(client.getProgress(EXEC_ID));
    await valuesOf(client.submitUserInput(EXEC_ID, values));
    expect(state.posted).toEqual(['{"name":"Alice"}']);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it.each([
    ['a BigInt', { amount: 1n }],
    ['a cycle', (() => { const o: Record<string, unknown> = {}; o['self'] = o; return o; })()],
    ['a throwing toJSON', { toJSON: () => { throw new Error('no'); } }],
  ])('values with %s that JSON cannot write: SmartFlowsInputError, nothing sent', async (_name, values) => {
    const error = await errorOf(testClient().submitUserInput(EXEC_ID, values));
    expect(error).toMatchObject({ name: 'SmartFlowsInputError' });
    expect(error.answerMayBeTaken).toBeUndefined();
    expect(requests).toHaveLength(0);
  });

  it('a 408 to a form answer: the server says it did not read the request, as for a start: no answerMayBeTaken, not sent again', async () => {
    server.use(http.post(PROGRESS_URL, () => HttpResponse.json({ message: 'timeout' }, { status: 408 })));
    const error = await errorOf(testClient({ retry: { maxRetries: 3 } }).submitUserInput(EXEC_ID, { name: 'Alice' }));
    expect(error).toMatchObject({ status: 408 });
    expect(error.answerMayBeTaken).toBeUndefined();
    expect(requests).toHaveLength(1);
  });
});

describe('the start POST without input', () => {
  it('still sends the XML Content-Type (with an empty body) on /flows/executions', async () => {
    server.use(http.post(START_URL, () => HttpResponse.json(progressBody('Running'))));
    await valuesOf(testClient().startExecution(FLOW_ID));
    expect(requests[0]!.headers.get('content-type')).toBe('application/xml; charset="utf-8"');
  });

  it('sends no body and no Content-Type on /flows/executions/start', async () => {
    server.use(http.post(`${START_URL}/start`, () => HttpResponse.json(progressBody('Running'))));
    await valuesOf(testClient().startExecution(FLOW_ID, undefined, { skipUserInput: true }));
    expect(requests[0]!.headers.get('content-type')).toBeNull();
  });
});

describe('login', () => {
  it('never shows the password in an error, even when the server echoes it', async () => {
    const password = 'correct-horse-battery-staple';
    server.use(http.post(`${API}/authenticate/login`, async ({ request }) => HttpResponse.json({ message: `bad login ${await request.text()}` }, { status: 401 })));
    const error = await errorOf(testClient().login({ username: 'ada', password }));
    expect(error.name).toBe('SmartFlowsHttpError');
    expect(error.body).toContain('bad login');
    expect(JSON.stringify(error) + String(error) + error.stack + error.body).not.toContain(password);
  });
});
