import type { DocumentScript, FlowScript, SimulatorClock } from '../types.js';
import type { ExecutionRecord, SimulatorPrincipal } from './ExecutionRecord.js';
import { randomGuid, type Random } from './random.js';
import { phaseAt, terminalAtMs, isTerminalStatus, type Phase } from './timeline.js';
import { hasOutput } from './views.js';
import { validateFlowScript } from './validateFlowScript.js';

/** A document of a finished execution. */
export interface StoredDocument {
  id: string;
  record: ExecutionRecord;
  script: DocumentScript;
  /** When the document became available (the execution's end). */
  finishedAtMs: number;
}

/** What a start needs besides the flow. */
export interface StartInput {
  xml?: string;
  root?: string;
  skipUserInput: boolean;
  principal: SimulatorPrincipal;
}

/**
 * The in-memory Smart Flows: flows, executions and their documents. It stores only
 * events (start, input posted, cancel); states are derived from the clock on demand.
 */
export class FlowEngine {
  readonly flows = new Map<string, FlowScript>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly documentOwners = new Map<string, { record: ExecutionRecord; index: number }>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    flows: readonly FlowScript[],
    private readonly clock: SimulatorClock,
    private readonly random: Random,
  ) {
    for (const flow of flows) this.addFlow(flow);
  }

  /** Adds or replaces a flow script; throws a TypeError for a script that cannot run. */
  addFlow(script: FlowScript): void {
    validateFlowScript(script);
    this.flows.set(script.id.toLowerCase(), script);
  }

  getFlow(id: string): FlowScript | undefined {
    return this.flows.get(id.toLowerCase());
  }

  getExecution(id: string): ExecutionRecord | undefined {
    return this.executions.get(id.toLowerCase());
  }

  /** Creates an execution; it starts at once (or queues) on the clock. */
  start(script: FlowScript, input: StartInput): ExecutionRecord {
    const record: ExecutionRecord = {
      id: randomGuid(this.random),
      script,
      createdAtMs: this.clock.now(),
      createdBy: input.principal,
      modifiedBy: input.principal,
      inputXml: input.xml,
      inputRoot: input.root,
      skipUserInput: input.skipUserInput,
      documentIds: (script.documents ?? []).map((d) => d.id ?? randomGuid(this.random)),
    };
    this.executions.set(record.id, record);
    // A fixed document id points at the latest execution that produced it.
    record.documentIds.forEach((id, index) => this.documentOwners.set(id.toLowerCase(), { record, index }));
    return record;
  }

  /**
   * Starts an execution no client asked for (another user's), created up to `spreadMs`
   * earlier than now; it is not counted as a start of the client's.
   */
  startForOtherUser(script: FlowScript, input: StartInput, spreadMs: number): ExecutionRecord {
    const record = this.start(script, input);
    record.createdAtMs -= Math.floor(this.random() * spreadMs);
    return record;
  }

  phase(record: ExecutionRecord): Phase {
    return phaseAt(record, this.clock.now());
  }

  /** Cancels a running execution; a finished one is left as it is. Returns whether it changed. */
  cancel(record: ExecutionRecord, by: SimulatorPrincipal): boolean {
    if (isTerminalStatus(this.phase(record).status)) return false;
    record.canceledAtMs = this.clock.now();
    record.modifiedBy = by;
    this.notify(record);
    return true;
  }

  /** Posts form values; only an execution waiting for input accepts them. */
  submitUserInput(record: ExecutionRecord, values: Record<string, unknown>, by: SimulatorPrincipal): boolean {
    if (this.phase(record).status !== 'UserInput') return false;
    record.inputValues = { ...record.inputValues, ...values };
    record.resumedAtMs = this.clock.now();
    record.modifiedBy = by;
    this.notify(record);
    return true;
  }

  /** A document, once its execution ended in Success or Warning. */
  getDocument(id: string): StoredDocument | undefined {
    const owner = this.documentOwners.get(id.toLowerCase());
    if (!owner) return undefined;
    const { record, index } = owner;
    const script = record.script.documents?.[index];
    const documentId = record.documentIds[index];
    if (!script || documentId === undefined || !hasOutput(this.phase(record))) return undefined;
    return { id: documentId, record, script, finishedAtMs: terminalAtMs(record) };
  }

  /** Calls `listener` when the execution changes by an event (not by time passing). */
  onEvent(record: ExecutionRecord, listener: () => void): () => void {
    const set = this.listeners.get(record.id) ?? new Set();
    set.add(listener);
    this.listeners.set(record.id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(record.id);
    };
  }

  private notify(record: ExecutionRecord): void {
    for (const listener of [...(this.listeners.get(record.id) ?? [])]) listener();
  }

  /** How many executions were running (not terminal) at `atMs`. */
  runningAt(atMs: number): number {
    let n = 0;
    for (const r of this.executions.values()) if (r.createdAtMs <= atMs && terminalAtMs(r) > atMs) n++;
    return n;
  }

  /** The most executions running at once in `[fromMs, now]`, by a sweep over their lifetimes. */
  maxRunningSince(fromMs: number): number {
    const nowMs = this.clock.now();
    const events: [number, number][] = [];
    for (const r of this.executions.values()) {
      const endMs = terminalAtMs(r);
      if (endMs <= fromMs || r.createdAtMs > nowMs) continue;
      events.push([Math.max(r.createdAtMs, fromMs), 1]);
      if (endMs <= nowMs) events.push([endMs, -1]);
    }
    // At equal times, ends go first: an execution ending as another starts never overlapped.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let current = 0;
    let max = 0;
    for (const [, delta] of events) max = Math.max(max, (current += delta));
    return max;
  }
}
