import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { API, errorOf, FLOW_ID, progressBody, START_URL, testClient, useMswServer, valuesOf } from '../helpers/msw';

// Issue 29, item 3: a caller that backs off as a whole (the BullMQ processor pauses every worker
// of its queue) needs the start's busy answer at once, not after this client's own retries.

const { server, requests } = useMswServer();

describe('startExecution with retryBusy: false', () => {
  it.each([
    [429, { 'retry-after': '7' }],
    [503, { 'retry-after': '7' }],
    [429, {}],
  ])('errors at once on a %i (headers %j), with the Retry-After it said, and sends the start once', async (status, headers) => {
    server.use(http.post(START_URL, () => HttpResponse.json({ message: 'busy' }, { status, headers })));
    const error = await errorOf(testClient({ retry: { maxRetries: 3, delayMs: 1 } }).startExecution(FLOW_ID, '<a/>', { retryBusy: false }));
    expect(error).toMatchObject({ name: 'SmartFlowsHttpError', status, ...('retry-after' in headers ? { retryAfterMs: 7_000 } : {}) });
    expect(requests).toHaveLength(1);
  });

  // Changed (start503): by default a 429 is sent again only after the flow's listing showed no
  // execution with its input (a listing request between the two POSTs).
  it('retries a 429 by default (retryBusy: true), after one listing request', async () => {
    let calls = 0;
    server.use(
      http.post(START_URL, () => (++calls === 1 ? HttpResponse.json({}, { status: 429, headers: { 'retry-after': '0' } }) : HttpResponse.json(progressBody('Running')))),
      http.get(`${API}/flows/${FLOW_ID}/executions`, () => HttpResponse.json([])),
    );
    const [first] = await valuesOf(testClient({ retry: { maxRetries: 3, delayMs: 1 } }).startExecution(FLOW_ID, '<a/>'));
    expect(first).toMatchObject({ status: 'Running' });
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('refuses a retryBusy that is not a boolean, before any request', async () => {
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<a/>', { retryBusy: 'no' as unknown as boolean }));
    expect(error).toMatchObject({ name: 'SmartFlowsInputError', message: 'retryBusy must be true or false' });
    expect(requests).toHaveLength(0);
  });
});
