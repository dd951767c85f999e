import { describe, expect, it } from '@jest/globals';
import { mayStartAgain } from '../../lib/angular/startAgain';
import { FlowExecutionError, SmartFlowsHttpError, SmartFlowsNetworkError, SmartFlowsTimeoutError } from '../../lib/errors';

const ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const URL = 'https://flows.example.test/api/v1/flows/executions';
const progress = (status: 'Error' | 'Canceled' | 'UserInput') => ({ id: ID, status, rawStatus: status, percentage: 50, message: '' });

// The one rule reload()/retry() of one execution and retry() of a batch follow (the batch's own
// table is in retryFailedJobs.spec.ts): the flow starts anew only when no execution of it can run.
describe('mayStartAgain', () => {
  it.each<[string, boolean, unknown, string | undefined]>([
    ['its flow ended in Error', true, new FlowExecutionError(progress('Error')), ID],
    ['it was canceled', true, new FlowExecutionError(progress('Canceled')), ID],
    ['its start was refused (400)', true, new SmartFlowsHttpError({ status: 400, method: 'POST', url: URL, body: '' }), undefined],
    ['its start timed out with executionMayExist (the answer was lost)', false, new SmartFlowsTimeoutError('Request timed out', 300, { executionMayExist: true }), undefined],
    ['its start got no answer and may have reached the server', false, new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true }, { executionMayExist: true }), undefined],
    ['following it timed out (the error names the execution)', false, new SmartFlowsTimeoutError('did not end', 3000, { executionId: ID }), undefined],
    ['following it failed on the network (the caller knows the execution)', false, new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived: true }), ID],
    ['it asked for input headless (its execution still waits)', false, new FlowExecutionError(progress('UserInput')), ID],
  ])('%s → start anew: %s', (_what, again, error, executionId) => {
    expect(mayStartAgain(error, executionId)).toBe(again);
  });
});
