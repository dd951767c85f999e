import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { isSmartFlowsAbortError, isSmartFlowsNetworkError, isSmartFlowsTimeoutError } from '../../lib/errors';
import { API, EXEC_ID, FLOW_ID, PROGRESS_URL, START_URL, errorOf, progressBody, testClient, useMswServer } from '../helpers/msw';
import { until } from '../helpers/until';

// The `signal` option's HTTP mapping (msw): an abort of a request in flight is the caller's abort,
// never a network failure that the retry policy would send again, nor a timeout.
const { server, requests } = useMswServer();

/** A handler that never answers. (That the socket closes is what spec/wire/signal.spec.ts shows.) */
function hanging() {
  const seen = { started: 0 };
  const resolver = async () => {
    seen.started++;
    await delay('infinite');
    return HttpResponse.json({});
  };
  return { seen, resolver };
}

describe('signal (HTTP mapping)', () => {
  it('an abort during a progress request is the AbortError, not a network failure sent again', async () => {
    const hang = hanging();
    server.use(
      http.post(START_URL, () => HttpResponse.json(progressBody('Running', 5))),
      http.get(PROGRESS_URL, hang.resolver),
    );
    const controller = new AbortController();
    const done = errorOf(testClient().run(FLOW_ID, '<A/>', { signal: controller.signal }));
    await until(() => expect(hang.seen.started).toBe(1));
    controller.abort(new Error('route handler ended'));
    const error = await done;
    expect(isSmartFlowsAbortError(error)).toBe(true);
    expect(isSmartFlowsNetworkError(error) || isSmartFlowsTimeoutError(error)).toBe(false);
    expect(error).toMatchObject({ executionId: EXEC_ID, cause: new Error('route handler ended') });
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname.replace('/api/v1', '')}`)).toEqual(['POST /flows/executions', `GET /flows/executions/${EXEC_ID}/progress`]);
  });

  it('an AbortSignal.timeout() reason is kept as the cause (a TimeoutError DOMException), the error is still an AbortError', async () => {
    const hang = hanging();
    server.use(http.post(START_URL, hang.resolver));
    const error = await errorOf(testClient().startExecution(FLOW_ID, '<A/>', { signal: AbortSignal.timeout(20) }));
    expect(error).toMatchObject({ name: 'AbortError', executionMayExist: true });
    expect((error.cause as DOMException).name).toBe('TimeoutError');
    expect(error.message).toMatch(/^The signal aborted the stream: TimeoutError \(the request may have reached the server/);
    expect(requests).toHaveLength(1);
  });

  it('a download in flight ends with the AbortError, nothing sent again', async () => {
    const hang = hanging();
    const docId = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
    server.use(http.get(`${API}/documents/${docId}/content`, hang.resolver));
    const controller = new AbortController();
    const done = errorOf(testClient().downloadDocument(docId, { signal: controller.signal }));
    await until(() => expect(hang.seen.started).toBe(1));
    controller.abort();
    expect(await done).toMatchObject({ name: 'AbortError' });
    expect(requests).toHaveLength(1);
  });
});
