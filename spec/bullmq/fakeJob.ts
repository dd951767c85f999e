import { jest } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import type { FlowJobData, FlowJobProgress, FlowJobResult } from '../../lib/bullmq/flowJobTypes';

/** A BullMQ job as the processor sees it: data, updateData/updateProgress spies; `log` keeps the order of the calls. */
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
  };
  return { job, log };
}

/**
 * Whether BullMQ (5 and 6 alike) fails the job without retrying it: the processor threw its
 * `UnrecoverableError` (BullMQ checks `instanceof` or the name), which carries the client's
 * error as `cause`.
 */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

/** The client's error a processor failed with: the `cause` of an `UnrecoverableError`, else the error itself. */
export function clientError(error: unknown): unknown {
  return isUnrecoverable(error) ? (error as Error).cause : error;
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
