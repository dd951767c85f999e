import { describe, expect, it } from '@jest/globals';
import { catchError, from, last, lastValueFrom, map, mergeMap, of, toArray } from 'rxjs';
import { FlowExecutionError, SmartFlowsClient } from 'smart-flows-rx';
import { startSimulatorServer } from 'smart-flows-rx/testing';
import { expectClientSawTheFaults, faultFigures, runFaultScenario } from './support/faultScenario';
import { recordResults } from './support/results';
import { OUTCOMES, outcomeFlows } from './support/flows';
import { SECRET_API_KEY } from './support/secrets';

const EXECUTIONS = 200;

describe('faults survived (over the simulator HTTP server)', () => {
  it(`${EXECUTIONS} executions under 503/500/reset/malformed/429/latency faults all reach their scripted outcome, started once each, leaving nothing open`, async () => {
    const report = await runFaultScenario({ executions: EXECUTIONS });

    expect(report.mismatches).toEqual([]);
    expect(Object.values(report.reached).reduce((a, b) => a + b, 0)).toBe(EXECUTIONS);
    // Exactly one start per job, counted by the server.
    expect(report.stats.executionsStarted).toBe(EXECUTIONS);
    expect(report.stats.byRoute.start).toBe(EXECUTIONS);
    const flows = outcomeFlows();
    for (const outcome of OUTCOMES) expect(report.stats.startsByFlow[flows[outcome].id]).toBe(EXECUTIONS / OUTCOMES.length);
    expect(report.duplicates).toBe(0);
    // The mix really happened.
    expect(report.faults.status503).toBeGreaterThan(0);
    expect(report.faults.status500).toBeGreaterThan(0);
    expect(report.faults.reset).toBeGreaterThan(0);
    expect(report.faults.malformedJson).toBeGreaterThan(0);
    expect(report.faults.status429).toBeGreaterThan(0);
    expect(report.faults.latency).toBeGreaterThan(0);
    expect(report.hugeRetryAfters).toBeGreaterThan(0);
    expectClientSawTheFaults(report);
    // Nothing left behind.
    expect(report.unhandledRejections).toEqual([]);
    expect(report.inFlightAfterEnd).toBe(0);
    expect(report.busyAgentSockets).toBe(0);
    // Idle keep-alive sockets stay pooled by Node's agent for reuse, unref'd (they never keep the
    // process alive) and closed after 5 s idle; the soak waits that out with the server up.
    expect(report.referencedIdleSockets).toBe(0);
    expect(report.handlesLeft).toEqual({});
    expect(report.secretLeaks).toEqual([]);
    // Kept for the Reliability table of docs/reliability.md (npm run reliability:report), once the run passed.
    recordResults('test', 'faults', faultFigures(report));
    // 3 s on a quiet machine; Jest's 20 s default was hit on a machine loaded 8× its cores.
  }, 60_000);
});

describe('faults on the start itself', () => {
  it('starts answered 503/429 are retried (the server created nothing) and still give exactly one execution per job', async () => {
    const flows = outcomeFlows(5);
    const server = await startSimulatorServer({
      seed: 5,
      flows: Object.values(flows),
      apiKeys: [SECRET_API_KEY],
      // No resets or 500s here: after those a start may have created an execution, so the client
      // does not send it again and errors with executionMayExist (see docs/reliability.md).
      faults: { rate503: 0.2, rate429: 0.1, latencyMs: [0, 20], retryAfterSeconds: 1, routes: ['start'] },
    });
    try {
      const client = new SmartFlowsClient({
        baseUrl: server.url,
        apiKey: SECRET_API_KEY,
        polling: { intervalMs: 5, maxIntervalMs: 20 },
        retry: { maxRetries: 10, delayMs: 5, maxDelayMs: 50 },
      });
      const jobs = Array.from({ length: 100 }, (_, i) => OUTCOMES[i % OUTCOMES.length]!);
      const ended = await lastValueFrom(
        from(jobs).pipe(
          mergeMap(
            (outcome) =>
              client.run(flows[outcome].id, '<Letter/>').pipe(
                last(),
                map((e) => (e.type === 'output' ? e.execution.status : 'no output')),
                catchError((e: unknown) => of(e instanceof FlowExecutionError ? e.status : String(e))),
                map((status) => status === outcome),
              ),
            20,
          ),
          toArray(),
        ),
      );
      const stats = server.simulator.stats;
      expect(ended.filter((ok) => !ok)).toEqual([]);
      expect(stats.faultsInjected.status503 + stats.faultsInjected.status429).toBeGreaterThan(10);
      expect(stats.byRoute.start).toBeGreaterThan(jobs.length);
      expect(stats.executionsStarted).toBe(jobs.length);
      recordResults('test', 'startFaults', { jobs: jobs.length, startRequests: stats.byRoute.start, executionsStarted: stats.executionsStarted, faults: stats.faultsInjected });
    } finally {
      await server.close();
    }
  });
});
