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

  it('submitUserInput is retried after a 503, which promises nothing was done', async () => {
    let calls = 0;
    server.use(http.post(PROGRESS_URL, () => (++calls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json(progressBody('Running', 40)))));
    const [progress] = await valuesOf(testClient().submitUserInput(EXEC_ID, { approved: true }));
    expect(progress).toMatchObject({ status: 'Running', percentage: 40 });
    expect(requests).toHaveLength(2);
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
