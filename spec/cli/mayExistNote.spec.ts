import { describe as group, expect, it } from '@jest/globals';
import { describe, errorJson, sentStartOutcome } from '../../lib/cli/failures';
import { SmartFlowsHttpError, SmartFlowsNetworkError, SmartFlowsResponseError, SmartFlowsTimeoutError, withErrorContext } from '../../lib/errors';
import { SmartFlowsBatchError } from '../../lib/execution/SmartFlowsBatchError';

// The library's message of an error whose execution may exist ends with a note naming
// `listExecutions`; the CLI says it in its own words (`smart-flows list`) and prints the message
// without it. Pinned byte for byte: the CLI's wording comes from the error's parts (its message
// without the note, and `executionMayExist`), not from cutting the note out of the message.

const URL = 'http://127.0.0.1:9/api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001';
const NOTE = ' (the request may have reached the server: an execution may exist; see listExecutions)';
const busy = () => new SmartFlowsHttpError({ status: 503, method: 'POST', url: URL, body: '{"message":"gateway busy"}' });
const reset = (options = {}) => new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true, detail: 'ECONNRESET' }, options);

group('the CLI\'s words for an error whose execution may exist', () => {
  it.each([
    ['a busy answer the look could not tell (built again with the context)', () => withErrorContext(busy(), { executionMayExist: true }),
      'Request failed with status 503: POST /api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001: gateway busy'],
    // Attack 6, L5: was "cannot reach the server" (exit 3's words, "nothing started"), a defect.
    ['a reset after sending a start', () => reset({ executionMayExist: true }),
      'the connection broke after the start was sent: Network error (ECONNRESET): POST /api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001'],
    ['a start that timed out', () => new SmartFlowsTimeoutError('Request timed out after 5000 ms: POST /api/v1/flows/executions', 5_000, { executionMayExist: true }),
      'Request timed out after 5000 ms: POST /api/v1/flows/executions'],
    ['a --fail-fast batch stopped by such a job', () => new SmartFlowsBatchError({ key: 'a.xml', index: 0 }, reset({ executionMayExist: true })),
      'Batch job "a.xml" failed: Network error (ECONNRESET): POST /api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001'],
  ])('%s: the message without the library\'s note, the flag kept in --json', (_name, make, said) => {
    const error = make();
    // The library's own message still carries the note (public behaviour unchanged).
    expect(error.message).toContain(NOTE);
    expect(describe(error)).toBe(said);
    expect(errorJson(error).message).toBe(said);
  });

  it('the same error without executionMayExist: its message as it is', () => {
    expect(describe(reset())).toBe('cannot reach the server: Network error (ECONNRESET): POST /api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001');
    expect(errorJson(withErrorContext(busy(), { executionMayExist: true }))).toEqual({
      error: 'SmartFlowsHttpError',
      message: 'Request failed with status 503: POST /api/v1/flows/executions?flowId=5f1a0000-0000-4000-8000-000000000001: gateway busy',
      executionMayExist: true,
      status: 503,
    });
  });
});

group('what the CLI says happened to a start that was sent (exit 4)', () => {
  it.each([
    ['a reset after sending', () => reset({ executionMayExist: true }), 'the connection broke after the start was sent'],
    ['a busy answer (503)', () => withErrorContext(busy(), { executionMayExist: true }), 'the server answered the start busy (HTTP 503)'],
    ['a 502 answer', () => new SmartFlowsHttpError({ status: 502, method: 'POST', url: URL, body: '' }, { executionMayExist: true }), 'the server answered the start (HTTP 502)'],
    ['an answer that could not be read', () => new SmartFlowsResponseError('The answer to POST /api/v1/flows/executions is not JSON', { executionMayExist: true }),
      'the server answered the start, but its answer could not be read'],
    ['a start that timed out', () => new SmartFlowsTimeoutError('Request timed out after 5000 ms: POST /api/v1/flows/executions', 5_000, { executionMayExist: true }),
      'the start was sent and its answer never came'],
    ['a --fail-fast batch stopped by a reset', () => new SmartFlowsBatchError({ key: 'a.xml', index: 0 }, reset({ executionMayExist: true })),
      'the connection broke after the start was sent'],
  ])('%s', (_name, make, said) => {
    expect(sentStartOutcome(make())).toBe(said);
  });
});
