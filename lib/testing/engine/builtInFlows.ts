import type { FlowScript, FlowStage } from '../types.js';

// Small but real-looking documents: a PDF header/trailer and a DOCX (zip) signature.
const pdf = (title: string) =>
  `%PDF-1.4\n1 0 obj << /Type /Catalog /Title (${title}) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
const docx = () => new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);

const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const stages = (durationMs: number, ...steps: [string, number][]): FlowStage[] =>
  steps.map(([message, percentage]) => ({ message, percentage, durationMs }));

const short: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000001',
  displayName: 'Short letter',
  stages: stages(200, ['Generate document', 0], ['Merge data', 40], ['Render PDF', 80]),
  outcome: 'Success',
  documents: [{ displayName: 'Letter.pdf', contentType: PDF, bytes: pdf('Letter'), blockId: 'block-3f2a' }],
};

const long: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000002',
  displayName: 'Long annual report',
  stages: stages(
    1_000,
    ['Generate document', 0], ['Collect figures', 10], ['Build charts', 20], ['Write chapters', 30],
    ['Merge appendices', 40], ['Table of contents', 50], ['Render pages', 60], ['Render PDF', 70],
    ['Sign document', 80], ['Archive', 90],
  ),
  outcome: 'Success',
  documents: [{ displayName: 'Annual report.pdf', contentType: PDF, bytes: pdf('Annual report'), blockId: 'block-7c01' }],
};

const queued: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000003',
  displayName: 'Busy server (queued first)',
  queueMs: 2_000,
  stages: stages(300, ['Generate document', 0], ['Render PDF', 50]),
  outcome: 'Success',
  documents: [{ displayName: 'Queued.pdf', contentType: PDF, bytes: pdf('Queued') }],
};

const warning: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000004',
  displayName: 'Letter with failing e-mail step',
  stages: stages(200, ['Generate document', 0], ['Render PDF', 50], ['Send e-mail', 90]),
  outcome: 'Warning',
  outcomeMessage: 'Document created; sending the e-mail failed',
  documents: [{ displayName: 'Letter.pdf', contentType: PDF, bytes: pdf('Letter (warning)') }],
};

const error: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000005',
  displayName: 'Misconfigured flow (ends in Error)',
  stages: stages(200, ['Generate document', 0], ['Merge data', 30], ['Render PDF', 60]),
  outcome: 'Error',
  outcomeMessage: 'Template field "customer.name" not found',
};

const interrupted: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000006',
  displayName: 'Runaway flow (Interrupted)',
  stages: stages(300, ['Generate document', 0], ['Loop over records', 20], ['Loop over records', 40]),
  outcome: 'Interrupted',
  outcomeMessage: 'Execution exceeded its time limit',
};

const userInput: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000007',
  displayName: 'Quote needing approval (user input)',
  stages: stages(200, ['Generate document', 0], ['Prepare quote', 30], ['Render PDF', 70]),
  outcome: 'Success',
  userInput: {
    afterStage: 1,
    schema: {
      type: 'object',
      properties: {
        approved: { type: 'boolean', title: 'Approved' },
        comment: { type: 'string', title: 'Comment' },
      },
    },
    model: { approved: false, comment: '' },
    form: [{ type: 'section', items: [{ key: 'approved' }, { key: 'comment' }] }],
  },
  documents: [{ displayName: 'Quote.pdf', contentType: PDF, bytes: pdf('Quote'), blockId: 'block-9e44' }],
};

const multiDocument: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000008',
  displayName: 'Contract pack (three documents)',
  stages: stages(200, ['Generate document', 0], ['Contract', 30], ['Terms', 60], ['Cover letter', 85]),
  outcome: 'Success',
  documents: [
    { displayName: 'Contract.pdf', contentType: PDF, bytes: pdf('Contract'), blockId: 'block-3f2a' },
    { displayName: 'Terms.docx', contentType: DOCX, bytes: docx(), blockId: 'block-51bd', property: 'attachments' },
    { displayName: 'Cover letter.pdf', contentType: PDF, bytes: pdf('Cover'), blockId: 'block-51bd', property: 'attachments' },
  ],
};

const waiting: FlowScript = {
  id: '5f1a0000-0000-4000-8000-00000000000a',
  displayName: 'Contract awaiting e-signature (Waiting)',
  stages: [
    { message: 'Generate document', percentage: 0, durationMs: 200 },
    { message: 'Waiting for e-signature', percentage: 50, durationMs: 3_000, status: 'Waiting' },
    { message: 'Archive signed contract', percentage: 90, durationMs: 200 },
  ],
  outcome: 'Success',
  documents: [{ displayName: 'Signed contract.pdf', contentType: PDF, bytes: pdf('Signed contract') }],
};

const invoice: FlowScript = {
  id: '5f1a0000-0000-4000-8000-000000000009',
  displayName: 'Invoice (input root <Invoice>)',
  requiredRoot: 'Invoice',
  stages: stages(200, ['Generate document', 0], ['Render PDF', 60]),
  outcome: 'Success',
  documents: [{ displayName: 'Invoice.pdf', contentType: PDF, bytes: pdf('Invoice') }],
};

/**
 * Ready-made flows with fixed GUIDs, one per outcome and behaviour, used by default.
 *
 * @example
 * client.run(builtInFlows.short.id, '<Letter/>').subscribe(console.log);
 */
export const builtInFlows = {
  /** Three 200 ms stages, then Success with one PDF. */
  short,
  /** Ten 1 s stages, then Success with one PDF. */
  long,
  /** Queued for 2 s before it runs; Success. */
  queued,
  /** Ends in Warning, with a document. */
  warning,
  /** Ends in Error at 60 %, without documents (a loop on `percentage < 100` never ends). */
  error,
  /** Ends in Interrupted at 40 %. */
  interrupted,
  /** Pauses in UserInput after its second stage until the form is posted. */
  userInput,
  /** Success with three documents: one under its own block, two in an array under another. */
  multiDocument,
  /** Refuses input whose root element is not `<Invoice>` (400). */
  invoice,
  /** Status `Waiting` (an e-signature) for 3 s mid-flow, then Success. */
  waiting,
} as const satisfies Record<string, FlowScript>;
