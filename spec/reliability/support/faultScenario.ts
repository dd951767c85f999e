import { expect } from '@jest/globals';
import http from 'node:http';
import { catchError, from, last, lastValueFrom, map, mergeMap, of, toArray } from 'rxjs';
import { type ExecutionEvent, FlowExecutionError, isGuid, SmartFlowsClient } from 'smart-flows-rx';
import { type FlowOutcome, type SimulatorFaultCounts, type SimulatorStats, startSimulatorServer } from 'smart-flows-rx/testing';
import { countingFetch, type SeenCall } from './countingFetch';
import { OUTCOMES, outcomeFlows } from './flows';
import { activeResources, excess, type ResourceCounts, settledExcess } from './handles';
import { SECRET_API_KEY, scanForSecrets } from './secrets';

/** Options of {@link runFaultScenario}. */
export interface FaultScenarioOptions {
  /** Executions to run, spread evenly over the four outcomes. */
  executions: number;
  /** Executions followed at once. @default 25 */
  concurrency?: number;
  /** Seed of the simulator's fault PRNG. @default 20240611 */
  seed?: number;
  /** The client's poll interval; latency goes up to three times it. @default 10 */
  intervalMs?: number;
  /** Every n-th 503/429 carries a Retry-After beyond 2^31 ms. @default 20 */
  hugeRetryAfterEvery?: number;
  /**
   * After every stream ended, wait this long with the server still up, then count the sockets
   * left (the pool's idle keep-alive sockets close after 5 s). @default 0 (not checked)
   */
  idleWaitMs?: number;
}

/** What one run of the scenario measured. */
export interface FaultScenarioReport {
  executions: number;
  /** Jobs whose stream ended with their scripted outcome, by outcome. */
  reached: Record<FlowOutcome, number>;
  /** Jobs that did not (should be empty), with what they ended with. */
  mismatches: string[];
  /** Execution ids seen more than once across jobs, or jobs that saw two ids. */
  duplicates: number;
  stats: SimulatorStats;
  faults: SimulatorFaultCounts;
  /** Retry-After values above 2^31 ms sent by the server. */
  hugeRetryAfters: number;
  /** Requests the client sent (the fetch spy). */
  requestsSent: number;
  /** What the client saw come back (the fetch spy), to compare with what the simulator counted. */
  seen: ClientView;
  /** Requests still in flight after every stream ended (should be 0). */
  inFlightAfterEnd: number;
  /** Sockets the global agent still had busy after every stream ended (should be 0). */
  busyAgentSockets: number;
  /** Idle keep-alive sockets pooled by the global agent after every stream ended (reused, unref'd). */
  idleAgentSockets: number;
  /** Of those, sockets that would keep the process alive (should be 0). */
  referencedIdleSockets: number;
  /** Sockets (client and server side) still open `idleWaitMs` after the end, server still up; -1 when not checked. */
  socketsAfterIdleWait: number;
  unhandledRejections: unknown[];
  /** Resources in excess of the start after the server closed (should be empty). */
  handlesLeft: ResourceCounts;
  errorsScanned: number;
  secretLeaks: string[];
  durationMs: number;
}

/** The answers the client received, counted at its fetch, not at the server. */
export interface ClientView {
  /** Answers by status: 503, 500, 429 (faults) and 200 (normal). */
  status503: number;
  status500: number;
  status429: number;
  ok: number;
  /** Requests whose fetch failed without an abort from the client (the server dropped the connection). */
  reset: number;
  /** 200 JSON answers whose body did not parse. */
  malformedJson: number;
  /** Failed requests of an execution (any of the above but a good 200) followed by another request to the same URL. */
  retried: number;
  /** Failed requests after which the client sent nothing more to that URL (should be 0: every failure recovered). */
  notRetried: string[];
  /** Executions in which the client saw at least one failure, and still reached their outcome (see `mismatches`). */
  executionsWithFailures: number;
  /** Requests per execution to the faulted routes (progress and execution). */
  requestsPerExecution: { min: number; max: number; mean: number };
  /**
   * Median time from fetch to answer on the faulted routes (0–3 intervals of latency) and on the
   * start (no latency), in ms. Reported, not asserted: on a loaded machine the queueing of 25
   * concurrent executions in one process is of the same order as the latency.
   */
  medianFaultedMs: number;
  medianStartMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};

/** Counts, from the fetch spy's calls alone, what the client received and how it went on. */
function clientView(calls: readonly SeenCall[]): ClientView {
  const view: ClientView = {
    status503: 0, status500: 0, status429: 0, ok: 0, reset: 0, malformedJson: 0, retried: 0, notRetried: [],
    executionsWithFailures: 0, requestsPerExecution: { min: 0, max: 0, mean: 0 }, medianFaultedMs: NaN, medianStartMs: NaN,
  };
  const byExecution = new Map<string, SeenCall[]>();
  const faultedMs: number[] = [];
  const startMs: number[] = [];
  for (const call of calls) {
    const failed = call.outcome === 'failed' && !call.abortedFirst;
    if (failed) view.reset++;
    else if (call.status === 503) view.status503++;
    else if (call.status === 500) view.status500++;
    else if (call.status === 429) view.status429++;
    else if (call.status === 200 && call.malformedJson) view.malformedJson++;
    else if (call.status === 200) view.ok++;
    const { pathname } = new URL(call.url);
    const id = /\/executions\/([^/]+)/.exec(pathname)?.[1];
    const ms = call.outcome === 'answered' && call.settledAt !== undefined ? call.settledAt - call.at : undefined;
    if (id === undefined) {
      if (call.method === 'POST' && ms !== undefined) startMs.push(ms);
      continue;
    }
    if (ms !== undefined) faultedMs.push(ms);
    byExecution.set(id, [...(byExecution.get(id) ?? []), call]);
  }
  const counts: number[] = [];
  for (const list of byExecution.values()) {
    counts.push(list.length);
    let sawFailure = false;
    list.forEach((call, k) => {
      const bad = call.outcome === 'failed' || (call.status !== undefined && call.status !== 200) || call.malformedJson === true;
      if (!bad) return;
      sawFailure = true;
      if (list.slice(k + 1).some((later) => later.method === call.method && later.url === call.url)) view.retried++;
      else view.notRetried.push(`${call.method} ${new URL(call.url).pathname} (${call.status ?? call.outcome})`);
    });
    if (sawFailure) view.executionsWithFailures++;
  }
  view.requestsPerExecution = {
    min: Math.min(...counts),
    max: Math.max(...counts),
    mean: Math.round((counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length)) * 10) / 10,
  };
  view.medianFaultedMs = Math.round(median(faultedMs) * 10) / 10;
  view.medianStartMs = Math.round(median(startMs) * 10) / 10;
  return view;
}

const countSockets = (pool: NodeJS.ReadOnlyDict<unknown[]>): number =>
  Object.values(pool).reduce((n, list) => n + (list?.length ?? 0), 0);

/**
 * Runs `executions` flows through the client against the simulator's real HTTP server with
 * the fault mix on progress and execution answers, and reports what happened.
 */
export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultScenarioReport> {
  const { executions, concurrency = 25, seed = 20240611, intervalMs = 10, hugeRetryAfterEvery = 20, idleWaitMs = 0 } = options;
  const flows = outcomeFlows(intervalMs);
  const before = activeResources();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

  let retryAfters = 0;
  let huge = 0;
  const server = await startSimulatorServer({
    seed,
    flows: Object.values(flows),
    apiKeys: [SECRET_API_KEY],
    requestLogLimit: 100,
    faults: {
      rate503: 0.1,
      rate500: 0.05,
      rateReset: 0.05,
      rateMalformedJson: 0.03,
      rate429: 0.02,
      latencyMs: [0, 3 * intervalMs],
      // 3e6 s ≈ 34.7 days, beyond 2^31 ms (24.8 days): a timer that long would fire at once in Node.
      retryAfterSeconds: () => (++retryAfters % hugeRetryAfterEvery === 0 ? (huge++, 3_000_000) : 1),
      routes: ['progress', 'execution'],
    },
  });
  const spy = countingFetch(undefined, undefined, { checkJson: true });
  const client = new SmartFlowsClient({
    baseUrl: server.url,
    apiKey: SECRET_API_KEY,
    fetch: spy.fetch,
    polling: { intervalMs, maxIntervalMs: 4 * intervalMs },
    // 25 % of answers fail: ten consecutive failures of one request are ~1e-6 likely.
    retry: { maxRetries: 10, delayMs: 5, maxDelayMs: 100 },
    // A guard only (no fault holds a request): on a loaded machine, with the server in this
    // process, a start once took past 5 s, and a start that timed out is rightly not retried.
    requestTimeoutMs: 30_000,
  });

  const started = performance.now();
  const jobs = Array.from({ length: executions }, (_, i) => ({ i, outcome: OUTCOMES[i % OUTCOMES.length] as FlowOutcome }));
  const results = await lastValueFrom(
    from(jobs).pipe(
      mergeMap(({ i, outcome }) => {
        const ids = new Set<string>();
        return client.run(flows[outcome].id, `<Letter><Number>${i}</Number></Letter>`).pipe(
          map((event: ExecutionEvent) => (ids.add(event.executionId), event)),
          last(),
          map((event) => ({ i, outcome, ids, ended: event.type === 'output' ? String(event.execution.status) : `no output (${event.type})` })),
          catchError((error: unknown) => {
            const leaks = scanForSecrets(error);
            const e = error as { name?: string; status?: string; executionId?: string; message?: string };
            const ended =
              error instanceof FlowExecutionError && isGuid(error.executionId) ? error.status : `${e.name}: ${e.message} (executionId ${e.executionId})`;
            return of({ i, outcome, ids, ended, leaks });
          }),
        );
      }, concurrency),
      toArray(),
    ),
  );
  const durationMs = performance.now() - started;

  const reached = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<FlowOutcome, number>;
  const mismatches: string[] = [];
  const owner = new Map<string, number>();
  let duplicates = 0;
  const secretLeaks: string[] = [];
  for (const r of results) {
    if (r.ended === r.outcome) reached[r.outcome]++;
    else mismatches.push(`job ${r.i} (${r.outcome}) ended with ${r.ended}`);
    if (r.ids.size !== 1) duplicates++;
    for (const id of r.ids) {
      if (owner.has(id) && owner.get(id) !== r.i) duplicates++;
      owner.set(id, r.i);
    }
    if ('leaks' in r) secretLeaks.push(...(r.leaks as string[]));
  }

  const stats = server.simulator.stats;
  const agent = http.globalAgent as http.Agent;
  const busyAgentSockets = countSockets(agent.sockets);
  const idleAgentSockets = countSockets(agent.freeSockets);
  const referencedIdleSockets = Object.values(agent.freeSockets)
    .flat()
    .filter((socket) => (socket as unknown as { _handle?: { hasRef?: () => boolean } })?._handle?.hasRef?.() === true).length;
  const inFlightAfterEnd = spy.live().length;
  let socketsAfterIdleWait = -1;
  if (idleWaitMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, idleWaitMs));
    socketsAfterIdleWait = excess(before).TCPSocketWrap ?? 0;
  }

  await server.close();
  const handlesLeft = await settledExcess(before);
  process.off('unhandledRejection', onUnhandled);

  return {
    executions,
    reached,
    mismatches,
    duplicates,
    stats,
    faults: stats.faultsInjected,
    hugeRetryAfters: huge,
    requestsSent: spy.calls.length,
    seen: clientView(spy.calls),
    inFlightAfterEnd,
    busyAgentSockets,
    idleAgentSockets,
    referencedIdleSockets,
    socketsAfterIdleWait,
    unhandledRejections: unhandled,
    handlesLeft,
    errorsScanned: results.filter((r) => 'leaks' in r).length,
    secretLeaks,
    durationMs,
  };
}

/**
 * The faults reached the client, not only the simulator's counters: every fault the server
 * counted came back to the client's fetch as that fault, every failure was followed by
 * another request for the same URL (a retry), and the executions still reached their outcome
 * (`mismatches`).
 */
export function expectClientSawTheFaults(report: FaultScenarioReport): void {
  const { seen, faults, stats } = report;
  expect(report.requestsSent).toBe(stats.requests);
  expect({
    status503: seen.status503,
    status500: seen.status500,
    status429: seen.status429,
    reset: seen.reset,
    malformedJson: seen.malformedJson,
  }).toEqual({
    status503: faults.status503,
    status500: faults.status500,
    status429: faults.status429,
    reset: faults.reset,
    malformedJson: faults.malformedJson,
  });
  const failures = seen.status503 + seen.status500 + seen.status429 + seen.reset + seen.malformedJson;
  expect(failures).toBeGreaterThan(report.executions / 4);
  expect(seen.notRetried).toEqual([]);
  expect(seen.retried).toBe(failures);
  expect(seen.executionsWithFailures).toBeGreaterThan(report.executions / 4);
  expect(report.mismatches).toEqual([]);
  // A request of a job that saw a failure is sent again: more requests than a fault-free run needs.
  expect(seen.requestsPerExecution.max).toBeGreaterThan(seen.requestsPerExecution.min);
}

/** The figures of a run kept in the results file (plain JSON, rounded). */
export function faultFigures(report: FaultScenarioReport): Record<string, unknown> {
  return {
    executions: report.executions,
    reached: report.reached,
    mismatches: report.mismatches.length,
    duplicates: report.duplicates,
    startsCounted: report.stats.executionsStarted,
    faults: report.faults,
    hugeRetryAfters: report.hugeRetryAfters,
    requestsSent: report.requestsSent,
    seen: { ...report.seen, notRetried: report.seen.notRetried.length },
    inFlightAfterEnd: report.inFlightAfterEnd,
    busyAgentSockets: report.busyAgentSockets,
    idleAgentSockets: report.idleAgentSockets,
    referencedIdleSockets: report.referencedIdleSockets,
    socketsAfterIdleWait: report.socketsAfterIdleWait,
    unhandledRejections: report.unhandledRejections.length,
    handlesLeft: report.handlesLeft,
    errorsScanned: report.errorsScanned,
    secretLeaks: report.secretLeaks.length,
    durationMs: Math.round(report.durationMs),
  };
}
