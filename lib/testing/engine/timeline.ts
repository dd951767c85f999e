import type { SimulatorStatus } from '../types.js';
import type { ExecutionRecord } from './ExecutionRecord.js';

/** What an execution is doing during one stretch of time. */
export interface Phase {
  status: SimulatorStatus;
  percentage: number;
  message: string;
  /** -1 while queued, the stage index while running or paused, `stages.length` at the end. */
  stageIndex: number;
  /** Clock time the phase began. */
  startMs: number;
  /** Clock time the phase ends; `Infinity` for terminal phases and unanswered input. */
  endMs: number;
}

const TERMINAL: ReadonlySet<SimulatorStatus> = new Set(['Success', 'Warning', 'Error', 'Canceled', 'Interrupted']);

/** Whether a status is final. */
export function isTerminalStatus(status: SimulatorStatus): boolean {
  return TERMINAL.has(status);
}

const OUTCOME_MESSAGES: Record<string, string> = {
  Success: 'Flow finished',
  Warning: 'Flow finished with warnings',
  Error: 'Flow failed',
  Interrupted: 'Flow interrupted',
};

/**
 * Lays out an execution's whole life as consecutive phases, ignoring cancellation.
 * Zero-length stages are left out: no client could ever observe them.
 */
export function phasesOf(record: ExecutionRecord): Phase[] {
  const { script } = record;
  const phases: Phase[] = [];
  let t = record.createdAtMs;
  const push = (p: Omit<Phase, 'startMs' | 'endMs'>, durationMs: number) => {
    if (durationMs > 0) phases.push({ ...p, startMs: t, endMs: t + durationMs });
    t += durationMs;
  };
  push({ status: 'Queued', percentage: 0, message: 'Waiting in queue', stageIndex: -1 }, script.queueMs ?? 0);

  const pause = record.skipUserInput ? undefined : script.userInput;
  let lastPercentage = 0;
  script.stages.forEach((stage, index) => {
    push({ status: stage.status ?? 'Running', percentage: stage.percentage, message: stage.message, stageIndex: index }, stage.durationMs);
    lastPercentage = stage.percentage;
    if (pause && pause.afterStage === index) {
      const resumedAt = record.resumedAtMs ?? Infinity;
      phases.push({
        status: 'UserInput',
        percentage: stage.percentage,
        message: 'Waiting for user input',
        stageIndex: index,
        startMs: t,
        endMs: resumedAt,
      });
      t = resumedAt;
    }
  });
  const success = script.outcome === 'Success' || script.outcome === 'Warning';
  phases.push({
    status: script.outcome,
    percentage: success ? 100 : lastPercentage,
    message: script.outcomeMessage ?? OUTCOME_MESSAGES[script.outcome] ?? script.outcome,
    stageIndex: script.stages.length,
    startMs: t,
    endMs: Infinity,
  });
  return phases;
}

/** The phase an execution is in at `nowMs`, cancellation included. */
export function phaseAt(record: ExecutionRecord, nowMs: number): Phase {
  const canceled = record.canceledAtMs !== undefined && nowMs >= record.canceledAtMs;
  const at = canceled ? (record.canceledAtMs as number) : nowMs;
  const phases = phasesOf(record);
  // Before the first phase starts (clock moved back) the first phase is the answer.
  const phase = phases.find((p) => at < p.endMs) ?? (phases[phases.length - 1] as Phase);
  if (!canceled || isTerminalStatus(phase.status)) return phase;
  return { ...phase, status: 'Canceled', message: 'Canceled by user', startMs: at, endMs: Infinity };
}

/** When the execution reached (or will reach) a terminal status; `Infinity` if not known yet. */
export function terminalAtMs(record: ExecutionRecord): number {
  const phases = phasesOf(record);
  const end = (phases[phases.length - 1] as Phase).startMs;
  return record.canceledAtMs !== undefined ? Math.min(end, record.canceledAtMs) : end;
}
