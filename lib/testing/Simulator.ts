import type { FlowScript, SimulatorClock, SimulatorOptions, SimulatorRequest, SimulatorResponse } from './types.js';
import type { FaultOptions, SimulatorRequestLogEntry, SimulatorStats } from './statsTypes.js';
import { Auth } from './engine/Auth.js';
import { FlowEngine } from './engine/FlowEngine.js';
import { mulberry32 } from './engine/random.js';
import { createStatusSpeller } from './engine/statusSpelling.js';
import { normalizeSimulatorOptions } from './options.js';
import { FaultInjector } from './routing/FaultInjector.js';
import { RequestLog } from './routing/RequestLog.js';
import { Waits } from './routing/Waits.js';
import { dispatch } from './routing/dispatch.js';
import type { RouteContext } from './routing/routes/RouteContext.js';

/**
 * An in-memory Smart Flows server. It speaks HTTP only through `handle`, a framework-free
 * request → response function that the msw handlers and the Node server both call, so
 * the two answer identically. Create one with {@link createSimulator}.
 */
export interface Simulator {
  /** The clock every execution and delay runs on. */
  readonly clock: SimulatorClock;
  /** The API key servers report (the first accepted one). */
  readonly apiKey: string;
  /** The flows known, in the order they were added. */
  readonly flows: readonly FlowScript[];
  /** The fault options in force. */
  readonly faults: Readonly<FaultOptions>;
  /** Counters since creation or the last `resetStats()`; a fresh snapshot on each read. */
  readonly stats: SimulatorStats;
  /** The latest requests, oldest first (at most `requestLogLimit`). */
  readonly requests: readonly SimulatorRequestLogEntry[];
  /**
   * Answers one request. Never rejects: every problem becomes an HTTP answer, or
   * `reset: true` when the connection should drop (a fault, or the client went away,
   * which is counted in `stats.abortedRequests`).
   *
   * @example
   * const res = await simulator.handle({ method: 'GET', url: `/api/v1/flows/executions/${id}/progress`,
   *   headers: { 'x-api-key': SIMULATOR_API_KEY } });
   */
  handle(request: SimulatorRequest): Promise<SimulatorResponse>;
  /** Replaces the fault options at runtime; `undefined` turns faults off. */
  setFaults(faults: FaultOptions | undefined): void;
  /** Adds or replaces a flow. */
  addFlow(script: FlowScript): void;
  /** Zeroes the counters and empties the request log; executions are kept. */
  resetStats(): void;
  /**
   * Waits on the simulator's clock; resolves `false` if aborted or disposed first.
   * Adapters use it for slow bodies so `dispose` stops those timers too.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean>;
  /** Ends every pending delay and long poll at once (they answer, or drop if aborted). */
  dispose(): void;
}

/** The implementation behind {@link Simulator}; not exported from the entry. */
class SmartFlowsSimulator implements Simulator {
  /** The clock every execution and delay runs on. */
  readonly clock: SimulatorClock;
  /** The API key servers report (the first accepted one). */
  readonly apiKey: string;
  private readonly context: RouteContext;
  private readonly faultInjector: FaultInjector;
  private statsSinceMs: number;

  constructor(options: SimulatorOptions = {}) {
    const o = normalizeSimulatorOptions(options);
    this.clock = o.clock;
    this.apiKey = o.apiKeys[0] as string;
    // Separate streams, so generating ids never shifts which requests get faults.
    const idRandom = mulberry32(o.seed ^ 0x9e3779b9);
    this.faultInjector = new FaultInjector(mulberry32(o.seed));
    this.faultInjector.set(o.faults);
    this.context = {
      engine: new FlowEngine(o.flows, o.clock, idRandom),
      auth: new Auth(o.apiKeys, o.users, o.tokenTtlMs, o.clock, idRandom),
      clock: o.clock,
      spell: createStatusSpeller(o.statusSpelling),
      waits: new Waits(o.clock),
      log: new RequestLog(o.requestLogLimit),
      documentTtlMs: o.documentTtlMs,
      maxLongPollSeconds: o.maxLongPollSeconds,
      progressHold: o.progressHold,
      endpointStyle: o.endpointStyle,
      longPolls: { open: 0 },
      listing: o.listing,
    };
    this.statsSinceMs = o.clock.now();
  }

  handle(request: SimulatorRequest): Promise<SimulatorResponse> {
    return dispatch(this.context, this.faultInjector, request);
  }

  /** Replaces the fault options at runtime; `undefined` turns faults off. */
  setFaults(faults: FaultOptions | undefined): void {
    this.faultInjector.set(faults);
  }

  /** The fault options in force. */
  get faults(): Readonly<FaultOptions> {
    return this.faultInjector.current;
  }

  /** Adds or replaces a flow. */
  addFlow(script: FlowScript): void {
    this.context.engine.addFlow(script);
  }

  /** The flows known, in the order they were added. */
  get flows(): readonly FlowScript[] {
    return [...this.context.engine.flows.values()];
  }

  /** Counters since creation or the last {@link Simulator.resetStats}; a fresh snapshot each read. */
  get stats(): SimulatorStats {
    const { engine, longPolls } = this.context;
    return {
      ...this.context.log.snapshot(),
      concurrentExecutions: engine.runningAt(this.clock.now()),
      maxConcurrentExecutions: engine.maxRunningSince(this.statsSinceMs),
      openLongPolls: longPolls.open,
    };
  }

  /** The latest requests, oldest first (at most `requestLogLimit`). */
  get requests(): readonly SimulatorRequestLogEntry[] {
    return this.context.log.requests;
  }

  /** Zeroes the counters and empties the request log; executions are kept. */
  resetStats(): void {
    this.context.log.reset();
    this.statsSinceMs = this.clock.now();
  }

  /**
   * Waits on the simulator's clock; resolves `false` if aborted or disposed first.
   * Adapters use it for slow bodies so `dispose` stops those timers too.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    return this.context.waits.wait(ms, signal);
  }

  /** Ends every pending delay and long poll at once (they answer, or drop if aborted). */
  dispose(): void {
    this.context.waits.disposeAll();
  }
}

/**
 * Creates an in-memory Smart Flows simulator.
 *
 * @param options - Flows, clock, seed, keys, users, status spelling, faults; all optional.
 * @returns A {@link Simulator}; serve it with `createSimulatorHandlers` or `startSimulatorServer`.
 * @example
 * const clock = createVirtualClock();
 * const simulator = createSimulator({ clock, seed: 42, faults: { rate503: 0.2 } });
 */
export function createSimulator(options?: SimulatorOptions): Simulator {
  return new SmartFlowsSimulator(options);
}
