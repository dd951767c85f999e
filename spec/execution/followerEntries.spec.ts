import { describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows } from 'smart-flows-rx/testing';
import { flowProcessor } from '../../lib/bullmq/flowProcessor';
import type { FlowJobData, FlowJobResult } from '../../lib/bullmq/flowJobTypes';
import { SmartFlowsTimeoutError } from '../../lib/errors';
import { useVirtualSimulator } from '../helpers/virtualSimulator';

const start = useVirtualSimulator();

/** A BullMQ job as the processor sees it. */
function fakeJob(data: FlowJobData) {
  const job = {
    id: 'job-1',
    data,
    updateData: jest.fn(async (next: FlowJobData) => void (job.data = next)),
    updateProgress: jest.fn(async () => undefined),
    discard: jest.fn(),
  };
  return job;
}

// Issue 24 item 5, through an entry point that uses `watch`: a timeout ends the follower's
// stream (the job fails and stays retryable) and never cancels the execution.
describe('the entry points’ timeout and cancel', () => {
  it('flowProcessor({ cancelOnAbort, timeoutMs }): a timeout fails the job retryably and leaves the execution running', async () => {
    const sim = start();
    const client = sim.client();
    const job = fakeJob({ flowId: builtInFlows.long.id, input: '<Letter><No>1</No></Letter>' });
    const seen: { error?: unknown; result?: FlowJobResult; settled: boolean } = { settled: false };
    flowProcessor(client, { scheduler: sim.scheduler, cancelOnAbort: true, timeoutMs: 2_000 })(job, 'token', new AbortController().signal).then(
      (result) => Object.assign(seen, { result, settled: true }),
      (error: unknown) => Object.assign(seen, { error, settled: true }),
    );
    await sim.until(() => seen.settled);
    expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
    await sim.advance(1_000);
    const execution = await lastValueFrom(client.getExecution(job.data.executionId!));
    // Before the fix: 'Canceled', and job.discard called once.
    expect(execution.status).not.toBe('Canceled');
    expect(job.discard).not.toHaveBeenCalled();
  });
});
