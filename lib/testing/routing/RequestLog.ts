import type { SimulatorFaultCounts, SimulatorRequestLogEntry, SimulatorRouteName, SimulatorStats } from '../statsTypes.js';
import { emptyFaultCounts } from './FaultInjector.js';

type RouteKey = SimulatorRouteName | 'other';

const emptyByRoute = (): Record<RouteKey, number> => ({
  start: 0, progress: 0, execution: 0, cancel: 0, userInput: 0,
  document: 0, documentContent: 0, list: 0, login: 0, other: 0,
});

/** The counters behind `simulator.stats` that are counted (the rest are derived). */
export type CountedStats = Omit<SimulatorStats, 'concurrentExecutions' | 'maxConcurrentExecutions' | 'openLongPolls'>;

/** Counts requests and keeps the last `limit` of them. */
export class RequestLog {
  private counts: CountedStats = RequestLog.zero();
  private readonly entries: SimulatorRequestLogEntry[] = [];

  constructor(private readonly limit: number) {}

  private static zero(): CountedStats {
    return {
      requests: 0,
      byRoute: emptyByRoute(),
      executionsStarted: 0,
      startsByFlow: {},
      abortedRequests: 0,
      faultsInjected: emptyFaultCounts(),
    };
  }

  /** Records an arriving request; the returned entry is completed when the answer goes out. */
  begin(method: string, path: string, route: RouteKey, atMs: number): SimulatorRequestLogEntry {
    this.counts.requests++;
    this.counts.byRoute[route]++;
    const entry: SimulatorRequestLogEntry = { method, path, route, status: 0, at: atMs };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  fault(entry: SimulatorRequestLogEntry, fault: keyof SimulatorFaultCounts): void {
    this.counts.faultsInjected[fault]++;
    // Latency is noted only when nothing worse happened to the request.
    if (!entry.fault || entry.fault === 'latency') entry.fault = fault;
  }

  started(flowId: string): void {
    this.counts.executionsStarted++;
    this.counts.startsByFlow[flowId] = (this.counts.startsByFlow[flowId] ?? 0) + 1;
  }

  aborted(): void {
    this.counts.abortedRequests++;
  }

  /** A copy of the counters, safe to keep. */
  snapshot(): CountedStats {
    return structuredClone(this.counts);
  }

  /** Oldest first. */
  get requests(): readonly SimulatorRequestLogEntry[] {
    return [...this.entries];
  }

  reset(): void {
    this.counts = RequestLog.zero();
    this.entries.length = 0;
  }
}
