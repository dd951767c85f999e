import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { isFinalFailure } from '../../lib/batch/outcome';
import {
  FlowExecutionError, SmartFlowsAuthError, SmartFlowsError, SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsNetworkError, SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../../lib/errors';
import * as core from '../../lib/index';

const ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const URL = 'https://flows.example.test/api/v1/flows/executions';
const http = (status: number, options: { executionId?: string; executionMayExist?: boolean } = {}) =>
  new SmartFlowsHttpError({ status, method: 'POST', url: URL, body: '' }, options);
const flowError = (status: 'Error' | 'Canceled' | 'Interrupted' | 'UserInput') =>
  new FlowExecutionError({ id: ID, status, rawStatus: status, percentage: 60, message: 'stopped' });

describe('isFinalFailure', () => {
  it('is the one rule, on the core entry', () => {
    expect(core.isFinalFailure).toBe(isFinalFailure);
  });

  // [what, final?, error, executionId known to the caller]
  it.each<[string, boolean, unknown, string | undefined]>([
    ['a flow that ended in Error', true, flowError('Error'), ID],
    ['a flow that ended in Canceled', true, flowError('Canceled'), undefined],
    ['a flow that asked for input headless', true, flowError('UserInput'), ID],
    ['input refused before any request', true, new SmartFlowsInputError('flowId must be a GUID'), undefined],
    ['a start refused with 400', true, http(400), undefined],
    ['a start refused with 404', true, http(404), undefined],
    ['credentials refused (401)', true, http(401), undefined],
    ['a 408 (worth another try)', false, http(408), undefined],
    ['a 429 (worth another try)', false, http(429), undefined],
    ['a 500', false, http(500), undefined],
    ['a 503', false, http(503), undefined],
    ['a network failure', false, new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: true }), undefined],
    ['a timeout before any execution', false, new SmartFlowsTimeoutError('too long', 1000), undefined],
    ['a timeout of a followed execution', false, new SmartFlowsTimeoutError('too long', 1000, { executionId: ID }), undefined],
    ['a garbled answer', false, new SmartFlowsResponseError('not JSON'), undefined],
    ['a plain Error (Redis, a bug)', false, new Error('boom'), undefined],
    ['a thrown string', false, 'boom', undefined],
    ['null', false, null, undefined],
    ['a 404 once the caller knows the execution', false, http(404), ID],
    ['an input error once the caller knows the execution', false, new SmartFlowsInputError('bad document id'), ID],
    // What the BullMQ processor's own copy knew: the error may carry the execution itself.
    ['a 404 that carries its executionId', false, http(404, { executionId: ID }), undefined],
    ['an input error that carries its executionId', false, new SmartFlowsInputError('bad document id', { executionId: ID }), undefined],
    ['an auth error that carries its executionId', false, new SmartFlowsAuthError('token expired', { executionId: ID }), undefined],
    ['a 400 whose start may have reached the server', false, http(400, { executionMayExist: true }), undefined],
    ['an input error whose start may have reached the server', false, new SmartFlowsInputError('x', { executionMayExist: true }), undefined],
  ])('%s → final: %s', (_what, final, error, executionId) => {
    expect(isFinalFailure(error, executionId)).toBe(final);
  });

  const errors = fc.oneof(
    fc.record({ status: fc.integer({ min: 300, max: 599 }), executionId: fc.option(fc.constant(ID), { nil: undefined, freq: 2 }), executionMayExist: fc.boolean() }).map(
      ({ status, ...o }) => http(status, o),
    ),
    fc.record({ executionId: fc.option(fc.constant(ID), { nil: undefined, freq: 2 }), executionMayExist: fc.boolean() }).chain((o) =>
      fc.constantFrom<SmartFlowsError>(
        new SmartFlowsInputError('x', o),
        new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived: false }, o),
        new SmartFlowsTimeoutError('x', 5, o),
        new SmartFlowsResponseError('x', o),
        new SmartFlowsAuthError('x', o),
      ),
    ),
    fc.constantFrom('Error', 'Canceled', 'Interrupted', 'UserInput' as const).map(flowError),
  );

  test.prop([errors, fc.option(fc.constant(ID), { nil: undefined, freq: 2 })], { numRuns: 300 })(
    'never calls final a failure after which an execution may exist, unless the flow itself ended',
    (error, executionId) => {
      const executionMayExist = executionId !== undefined || (error as SmartFlowsError).executionId !== undefined || (error as SmartFlowsError).executionMayExist === true;
      if (error instanceof FlowExecutionError) expect(isFinalFailure(error, executionId)).toBe(true);
      else if (executionMayExist) expect(isFinalFailure(error, executionId)).toBe(false);
      else expect(isFinalFailure(error, executionId)).toBe(error instanceof SmartFlowsInputError || (error instanceof SmartFlowsHttpError && error.status >= 400 && error.status < 500 && ![408, 429].includes(error.status)));
    },
  );
});
