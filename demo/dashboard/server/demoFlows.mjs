// The dashboard's flows and its batch of 12 jobs: the simulator's built-in flows slowed down
// to seconds (so a person, or the end-to-end test, can follow, cancel and answer them),
// plus one long flow that runs until it is cancelled.
import { builtInFlows } from 'smart-flows-rx/testing';

/** A flow that runs for minutes: the one the dashboard's user (or the e2e test) cancels. */
const ARCHIVE_ID = '5f1a0000-0000-4000-8000-0000000000a1';

/**
 * The simulator's flows with every stage lasting `stageMs` (queueing scaled alike).
 * @param {number} stageMs
 * @returns {import('smart-flows-rx/testing').FlowScript[]}
 */
export function demoFlows(stageMs) {
  const slow = (flow) => ({
    ...flow,
    queueMs: flow.queueMs ? flow.queueMs * (stageMs / 200) : undefined,
    stages: flow.stages.map((stage) => ({ ...stage, durationMs: stageMs })),
  });
  const archive = {
    id: ARCHIVE_ID,
    displayName: 'Nightly archive (runs until cancelled)',
    stages: Array.from({ length: 100 }, (_, i) => ({ message: `Archiving folder ${i + 1} of 100`, percentage: i, durationMs: stageMs * 3 })),
    outcome: 'Success',
  };
  return [...Object.values(builtInFlows).map(slow), archive];
}

const f = builtInFlows;

/**
 * The batch the dashboard starts, in order, with the status each job ends in when the
 * person at the dashboard answers the approval form and cancels the archive.
 * `expected` is the final status shown; `action` what the person does.
 */
export const demoJobs = [
  { key: 'letter-anna', label: 'Letter to Anna', flowId: f.short.id, input: '<Letter><To>Anna</To></Letter>', expected: 'Success' },
  { key: 'quote-approval', label: 'Quote needing approval', flowId: f.userInput.id, input: '<Quote><Amount>1200</Amount></Quote>', expected: 'Success', action: 'answer' },
  { key: 'nightly-archive', label: 'Nightly archive', flowId: ARCHIVE_ID, input: '<Archive/>', expected: 'Canceled', action: 'cancel' },
  { key: 'annual-report', label: 'Annual report', flowId: f.long.id, input: '<Report year="2024"/>', expected: 'Success' },
  { key: 'queued-letter', label: 'Letter on a busy server', flowId: f.queued.id, input: '<Letter/>', expected: 'Success' },
  { key: 'mail-warning', label: 'Letter with e-mail', flowId: f.warning.id, input: '<Letter><Mail>bob@example.com</Mail></Letter>', expected: 'Warning' },
  { key: 'misconfigured', label: 'Misconfigured template', flowId: f.error.id, input: '<Letter/>', expected: 'Error' },
  { key: 'runaway', label: 'Runaway loop', flowId: f.interrupted.id, input: '<Records/>', expected: 'Interrupted' },
  { key: 'contract-pack', label: 'Contract pack (3 documents)', flowId: f.multiDocument.id, input: '<Contract><Party>ACME</Party></Contract>', expected: 'Success' },
  { key: 'invoice-acme', label: 'Invoice ACME', flowId: f.invoice.id, input: '<Invoice><Customer>ACME</Customer><Total>99.50</Total></Invoice>', expected: 'Success' },
  { key: 'invoice-bad-input', label: 'Invoice with wrong input', flowId: f.invoice.id, input: '<Order/>', expected: 'Rejected' },
  { key: 'letter-bob', label: 'Letter to Bob', flowId: f.short.id, input: '<Letter><To>Bob</To></Letter>', expected: 'Success' },
];
