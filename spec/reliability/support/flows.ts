import type { FlowOutcome, FlowScript } from 'smart-flows-rx/testing';

/** Short scripted flows, one per outcome, with ids of their own. */
function flow(n: number, outcome: FlowOutcome, stageMs: number): FlowScript {
  return {
    id: `5f1a0000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
    displayName: `Reliability ${outcome}`,
    stages: [
      { message: 'Generate document', percentage: 0, durationMs: stageMs },
      { message: 'Merge data', percentage: 40, durationMs: stageMs },
      { message: 'Render PDF', percentage: 80, durationMs: stageMs },
    ],
    outcome,
    ...(outcome === 'Success' || outcome === 'Warning'
      ? { documents: [{ displayName: 'Letter.pdf', contentType: 'application/pdf', bytes: '%PDF-1.4\n%%EOF\n' }] }
      : { outcomeMessage: `Scripted ${outcome}` }),
  };
}

/** The four outcomes a job can be scripted to reach. */
export const OUTCOMES: readonly FlowOutcome[] = ['Success', 'Warning', 'Error', 'Interrupted'];

/** One flow per outcome, stages of `stageMs` each. */
export function outcomeFlows(stageMs = 10): Record<FlowOutcome, FlowScript> {
  return {
    Success: flow(1, 'Success', stageMs),
    Warning: flow(2, 'Warning', stageMs),
    Error: flow(3, 'Error', stageMs),
    Interrupted: flow(4, 'Interrupted', stageMs),
  };
}

/** A flow that runs for a long time (for unsubscribe cycles: it never ends on its own in time). */
export const slowFlow: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000199',
  displayName: 'Reliability slow',
  stages: [
    { message: 'Generate document', percentage: 0, durationMs: 20 },
    { message: 'Merge data', percentage: 30, durationMs: 40 },
    { message: 'Render PDF', percentage: 60, durationMs: 60_000 },
  ],
  outcome: 'Success',
};
