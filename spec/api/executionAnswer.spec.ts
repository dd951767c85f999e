import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsResponseError } from '../../lib/errors';
import { errorOf, EXEC_ID, EXECUTION_URL, executionBody, testClient, useMswServer } from '../helpers/msw';

const OTHER_ID = '11111111-2222-4333-8444-555555555555';

// The execution GET is checked as a progress answer is: one rule, in the API layer, for
// `getExecution`, the follower's final GET and the listing tracker's confirming GET alike.
describe('the execution GET answers the execution asked for', () => {
  const { server, requests } = useMswServer();

  it('refuses another execution: SmartFlowsResponseError with the executionId, not retryable, sent once', async () => {
    server.use(http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Success', { id: OTHER_ID }))));
    const error = await errorOf(testClient().getExecution(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error).toMatchObject({ executionId: EXEC_ID, retryable: false });
    expect((error as Error).message).toContain(OTHER_ID);
    expect(requests.filter((r) => r.url === EXECUTION_URL)).toHaveLength(1);
  });

  it('takes its own id in any case', async () => {
    server.use(http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Success', { id: EXEC_ID.toUpperCase() }))));
    const execution = await firstValueFrom(testClient().getExecution(EXEC_ID));
    expect(execution.id).toBe(EXEC_ID.toUpperCase());
  });

  it('shows no more than 36 characters of a long foreign id', async () => {
    server.use(http.get(EXECUTION_URL, () => HttpResponse.json(executionBody('Success', { id: `${OTHER_ID}${'x'.repeat(500)}` }))));
    const error = await errorOf(testClient().getExecution(EXEC_ID));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect((error as Error).message).not.toContain('x'.repeat(10));
  });
});
