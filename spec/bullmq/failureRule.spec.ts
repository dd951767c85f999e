import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { NEVER, type Observable, throwError } from 'rxjs';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import type { FlowJobData } from '../../lib/bullmq/flowJobTypes';
import type { SmartFlowsClient } from '../../lib/client';
import {
  FlowExecutionError, SmartFlowsAuthError, type SmartFlowsError, SmartFlowsHttpError, SmartFlowsInputError, SmartFlowsNetworkError, SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../../lib/errors';
import { isFinalFailure } from '../../lib/index';
import { fakeJob, isUnrecoverable } from './fakeJob';

const FLOW = '85f8fe94-6f61-4216-af6c-4889e2547b72';
const ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const URL = 'https://flows.example.test/api/v1/flows/executions';

/** A client whose start (or, for a job with a recorded executionId, whose watch) fails with `error`. */
const failingClient = (error: unknown) =>
  ({
    options: { polling: { timeoutMs: 0 } },
    startExecution: (): Observable<never> => throwError(() => error),
    watch: (): Observable<never> => throwError(() => error),
    listExecutions: () => NEVER,
    getExecution: () => NEVER,
  }) as unknown as SmartFlowsClient;

const context = fc.record({ executionId: fc.option(fc.constant(ID), { nil: undefined, freq: 2 }), executionMayExist: fc.boolean() });
const errors: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.integer({ min: 300, max: 599 }), context).map(([status, o]) => new SmartFlowsHttpError({ status, method: 'POST', url: URL, body: '' }, o)),
  context.chain((o) =>
    fc.constantFrom<SmartFlowsError>(
      new SmartFlowsInputError('x', o),
      new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived: true }, o),
      new SmartFlowsTimeoutError('x', 5, o),
      new SmartFlowsResponseError('x', o),
      new SmartFlowsAuthError('x', o),
    ),
  ),
  fc.constantFrom('Error', 'Canceled', 'Interrupted', 'UserInput' as const).map((status) => new FlowExecutionError({ id: ID, status, rawStatus: status, percentage: 10, message: '' })),
  fc.constant(new Error('Redis connection lost')),
);

describe('flowProcessor and the failure rule', () => {
  test.prop([errors, fc.boolean()], { numRuns: 200 })(
    'fails a job for good (UnrecoverableError, its cause the error) exactly when isFinalFailure calls its failure final (a start that failed, or a recorded execution whose watch failed)',
    async (error, recorded) => {
      const data: FlowJobData = recorded ? { flowId: FLOW, input: '<a/>', executionId: ID } : { flowId: FLOW, input: '<a/>' };
      const { job } = fakeJob(data);
      const thrown = await flowProcessor(failingClient(error))(job).then(() => undefined, (e: unknown) => e);
      const final = isFinalFailure(error, recorded ? ID : undefined);
      expect(isUnrecoverable(thrown)).toBe(final);
      if (final) expect(thrown).toMatchObject({ name: 'UnrecoverableError', message: (error as Error).message, cause: error });
      else expect(thrown).toBe(error);
    },
  );

  it.each([400, 403, 404, 422])(
    'keeps retryable a job whose recorded execution answered %s: the execution exists, a retry follows it',
    async (status) => {
      const { job } = fakeJob({ flowId: FLOW, input: '<a/>', executionId: ID });
      const error = new SmartFlowsHttpError({ status, method: 'GET', url: `${URL}/${ID}/progress`, body: '' });
      await expect(flowProcessor(failingClient(error))(job)).rejects.toBe(error);
    },
  );

  it('fails for good a job whose start was refused with 400 (no execution can exist)', async () => {
    const { job } = fakeJob({ flowId: FLOW, input: '<a/>' });
    const error = new SmartFlowsHttpError({ status: 400, method: 'POST', url: URL, body: '' });
    await expect(flowProcessor(failingClient(error))(job)).rejects.toMatchObject({ name: 'UnrecoverableError', cause: error });
    expect(job.data.startingAt).toEqual(expect.any(String));
  });
});
