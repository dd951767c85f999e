import { describe, expect, it } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import { normalizeProcessorOptions, PROCESSOR_DEFAULTS } from '../../lib/bullmq/processorOptions';
import { FlowExecutionError, SmartFlowsTimeoutError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';
import { clientError, fakeJob, isUnrecoverable, settledState } from './fakeJob';

// Issue 24, item 12: a headless worker's defaults must end every job. A flow asking for user
// input fails its job at once (no retry can answer the form); anything else that never ends
// (Waiting, an unknown status) is bounded by a default timeout, after which the job may be
// retried and the retry follows the same execution.

const start = useVirtualSimulator();
const USER_INPUT = builtInFlows.userInput.id;
const HOUR = 3_600_000;

describe('flowProcessor defaults', () => {
  it('fails a job whose flow asks for user input with FlowExecutionError (UserInput) for good (UnrecoverableError), with no option given', async () => {
    const sim = start();
    const { job } = fakeJob({ flowId: USER_INPUT, input: '<Quote><No>1</No></Quote>' });
    const seen = settledState(flowProcessor(sim.client())(job));
    await sim.advance(10 * 60_000, 5_000); // ten minutes, far past the 400 ms the flow takes to ask

    expect(seen.settled).toBe(true);
    expect(isUnrecoverable(seen.error)).toBe(true);
    expect(clientError(seen.error)).toBeInstanceOf(FlowExecutionError);
    expect(clientError(seen.error)).toMatchObject({ status: 'UserInput', executionId: job.data.executionId });
  });

  it("ends a job still waiting after one hour with SmartFlowsTimeoutError carrying the executionId, kept retryable (onUserInput: 'wait', no timeout given)", async () => {
    const sim = start();
    const { job } = fakeJob({ flowId: USER_INPUT, input: '<Quote><No>2</No></Quote>' });
    const seen = settledState(flowProcessor(sim.client(), { onUserInput: 'wait' })(job));
    await sim.advance(HOUR - 60_000, 10_000);
    expect(seen.settled).toBe(false); // still within the hour: the flow waits for its form

    await sim.advance(2 * 60_000, 10_000);
    expect(seen.settled).toBe(true);
    expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(seen.error).toMatchObject({ timeoutMs: HOUR, executionId: job.data.executionId });
    expect(isUnrecoverable(seen.error)).toBe(false);
  });

  it("takes the client's polling.timeoutMs when it sets one, and the processor's timeoutMs over both (0 = none)", () => {
    expect(normalizeProcessorOptions({}, 0).timeoutMs).toBe(HOUR);
    expect(normalizeProcessorOptions({}, 5 * 60_000).timeoutMs).toBe(5 * 60_000);
    expect(normalizeProcessorOptions({ timeoutMs: 30_000 }, 5 * 60_000).timeoutMs).toBe(30_000);
    expect(normalizeProcessorOptions({ timeoutMs: 0 }, 5 * 60_000).timeoutMs).toBe(0);
    expect(PROCESSOR_DEFAULTS).toMatchObject({ onUserInput: 'error', timeoutMs: HOUR });
  });
});
