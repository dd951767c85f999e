import { describe, expect, it } from 'vitest';
import { runFaultScenario } from './support/faultScenario';
import { OUTCOMES, outcomeFlows } from './support/flows';

const EXECUTIONS = 200;

describe('faults survived (over the simulator HTTP server)', () => {
  it(`${EXECUTIONS} executions under 503/500/reset/malformed/429/latency faults all reach their scripted outcome, started once each, leaving nothing open`, async () => {
    const report = await runFaultScenario({ executions: EXECUTIONS });
    console.info('[reliability] faults', JSON.stringify({ ...report, stats: undefined, unhandledRejections: report.unhandledRejections.length }));

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
    // Nothing left behind.
    expect(report.unhandledRejections).toEqual([]);
    expect(report.inFlightAfterEnd).toBe(0);
    expect(report.busyAgentSockets).toBe(0);
    // Idle keep-alive sockets stay pooled by Node's agent for reuse, unref'd (they never keep the
    // process alive) and closed after 5 s idle; the soak waits that out with the server up.
    expect(report.referencedIdleSockets).toBe(0);
    expect(report.handlesLeft).toEqual({});
    expect(report.secretLeaks).toEqual([]);
  });
});
