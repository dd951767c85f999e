import { jest } from '@jest/globals';
import type { FlowJobData, FlowJobProgress, FlowJobResult } from '../../lib/bullmq/flowJobTypes';

/** A BullMQ job as the processor sees it: data, updateData/updateProgress spies, discard; `log` keeps the order of the calls. */
export function fakeJob(data: FlowJobData, id = 'job-1') {
  const log: ({ data: FlowJobData } | { progress: FlowJobProgress })[] = [];
  const job = {
    id,
    data,
    updateData: jest.fn(async (next: FlowJobData) => {
      log.push({ data: next });
      job.data = next;
    }),
    updateProgress: jest.fn(async (progress: FlowJobProgress) => {
      log.push({ progress });
    }),
    discard: jest.fn(),
  };
  return { job, log };
}

/** How a processor's promise settled, read without awaiting it. */
export function settledState(run: Promise<FlowJobResult>) {
  const seen: { result?: FlowJobResult; error?: unknown; settled: boolean } = { settled: false };
  run.then(
    (result) => Object.assign(seen, { result, settled: true }),
    (error: unknown) => Object.assign(seen, { error, settled: true }),
  );
  return seen;
}
