import type { SimulatorStatus } from '../types.js';
import type { ExecutionRecord } from './ExecutionRecord.js';
import { phaseAt, phasesOf, isTerminalStatus, type Phase } from './timeline.js';

/** Turns canonical statuses into the configured spelling. */
export type Speller = (status: SimulatorStatus) => string;

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the execution ended well enough to have produced its documents. */
export function hasOutput(phase: Phase): boolean {
  return phase.status === 'Success' || phase.status === 'Warning';
}

/** The form values: the script's defaults with whatever was posted merged in. */
function formModel(record: ExecutionRecord): Record<string, unknown> | undefined {
  const input = record.script.userInput;
  if (!input) return undefined;
  return { ...input.model, ...record.inputValues };
}

/**
 * The document references, nested under block ids the way the real server nests them.
 * Two documents with the same block and property become an array, so clients meet both
 * shapes when walking `model`.
 */
export function documentBlocks(record: ExecutionRecord): Record<string, Record<string, unknown>> {
  const blocks: Record<string, Record<string, unknown>> = {};
  (record.script.documents ?? []).forEach((doc, index) => {
    const ref = { id: record.documentIds[index], displayName: doc.displayName, type: 'document' };
    const block = (blocks[doc.blockId ?? `block-${index + 1}`] ??= {});
    const property = doc.property ?? 'outputDocument';
    const existing = block[property];
    if (existing === undefined) block[property] = ref;
    else block[property] = Array.isArray(existing) ? [...existing, ref] : [existing, ref];
  });
  return blocks;
}

/** The `model` of a progress object at `phase`, if there is one. */
function progressModel(record: ExecutionRecord, phase: Phase): Record<string, unknown> | undefined {
  const values = formModel(record);
  if (hasOutput(phase) && record.script.documents?.length) return { ...values, ...documentBlocks(record) };
  const pausedYet = record.script.userInput && phase.stageIndex >= record.script.userInput.afterStage;
  return pausedYet ? values : undefined;
}

/** The progress object (`GET …/progress`) of an execution at `nowMs`. */
export function toProgress(record: ExecutionRecord, nowMs: number, spell: Speller): Record<string, unknown> {
  const phase = phaseAt(record, nowMs);
  const progress: Record<string, unknown> = {
    id: record.id,
    percentage: phase.percentage,
    message: phase.message,
    status: spell(phase.status),
  };
  const input = record.script.userInput;
  if (phase.status === 'UserInput' && input) {
    progress.schema = input.schema;
    progress.form = input.form;
  }
  const model = progressModel(record, phase);
  if (model) progress.model = model;
  return progress;
}

/** The full execution (`GET …/executions/{id}`) at `nowMs`; `withState: false` for listings. */
export function toExecution(
  record: ExecutionRecord,
  nowMs: number,
  spell: Speller,
  withState = true,
): Record<string, unknown> {
  const phase = phaseAt(record, nowMs);
  const execution: Record<string, unknown> = {
    id: record.id,
    createdAt: iso(record.createdAtMs),
    createdBy: record.createdBy,
    modifiedAt: iso(Math.max(record.createdAtMs, Math.min(phase.startMs, nowMs))),
    modifiedBy: record.modifiedBy,
    status: spell(phase.status),
    flow: { id: record.script.id, displayName: record.script.displayName, type: 'flow' },
  };
  if (withState) execution.state = executionState(record, phase, nowMs, spell);
  return execution;
}

function executionState(record: ExecutionRecord, phase: Phase, nowMs: number, spell: Speller) {
  const input = record.script.userInput;
  const parts: Record<string, unknown>[] = [];
  if (input && !record.skipUserInput && phase.stageIndex >= input.afterStage) {
    const model = formModel(record);
    parts.push({ id: 'part-user-input', displayName: 'User input', schema: input.schema, model, form: input.form });
  }
  if (hasOutput(phase)) {
    const model = progressModel(record, phase) ?? {};
    parts.push({ id: 'part-output', displayName: 'Output', schema: { type: 'object' }, model, form: [] });
  }
  // Stages begun before now (or before the cancel), cut at the cancel if there was one.
  const canceledAtMs = phase.status === 'Canceled' ? phase.startMs : undefined;
  const lifeEndMs = Math.min(nowMs, canceledAtMs ?? Infinity);
  const stages = phasesOf(record)
    .filter((p) => p.status !== 'Queued' && !isTerminalStatus(p.status) && p.startMs <= lifeEndMs)
    .map((p) => {
      const endMs = p.endMs <= lifeEndMs ? p.endMs : canceledAtMs;
      return {
        start: iso(p.startMs),
        end: endMs === undefined ? null : iso(endMs),
        input: p.status === 'UserInput' ? (formModel(record) ?? {}) : {},
        lastProgress: { id: record.id, percentage: p.percentage, message: p.message, status: spell(p.status) },
      };
    });
  const report = stages.map((s, index) => ({
    step: index + 1,
    message: s.lastProgress.message,
    start: s.start,
    end: s.end,
    // The last stage shares the execution's fate when that was not a clean one: a Warning
    // marks the step that went wrong, so the report shows where.
    status: index === stages.length - 1 && (s.end === null || !hasOutput(phase) || phase.status === 'Warning') ? spell(phase.status) : 'Success',
  }));
  return {
    inputData: record.inputXml === undefined ? {} : { rootElement: record.inputRoot, xml: record.inputXml },
    output: { parts },
    stages,
    report,
    iterations: 1,
    waitingFor: phase.status === 'UserInput' ? 'UserInput' : null,
  };
}
