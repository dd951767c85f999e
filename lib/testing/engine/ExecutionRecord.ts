import type { FlowScript } from '../types.js';

/** Who started or changed an execution (`createdBy` / `modifiedBy`). */
export interface SimulatorPrincipal {
  id: string;
  displayName: string;
}

/**
 * What the engine stores about one execution. Everything else (status, percentage, the
 * documents) is derived from these facts and the clock, so no timer drives an execution.
 */
export interface ExecutionRecord {
  id: string;
  script: FlowScript;
  createdAtMs: number;
  createdBy: SimulatorPrincipal;
  modifiedBy: SimulatorPrincipal;
  /** The XML posted at start; absent for `/start` (no input). */
  inputXml?: string;
  inputRoot?: string;
  /** Started through `/start`: the user-input pause is skipped, model defaults are used. */
  skipUserInput: boolean;
  /** When the user input was posted (the flow resumed). */
  resumedAtMs?: number;
  /** The values posted as user input. */
  inputValues?: Record<string, unknown>;
  /** When the execution was canceled. */
  canceledAtMs?: number;
  /** Ids of the documents, parallel to `script.documents`. */
  documentIds: string[];
}
