import { describe, expect, it } from '@jest/globals';
import { expectClientSawTheFaults, faultFigures, runFaultScenario } from '../reliability/support/faultScenario';
import { recordResults } from '../reliability/support/results';
import { OUTCOMES, outcomeFlows } from '../reliability/support/flows';

const EXECUTIONS = 500;

describe('soak: faults survived', () => {
  it(`${EXECUTIONS} executions through the fault mix, then 5.5 s idle with the server up: every socket closed on its own`, async () => {
    const report = await runFaultScenario({ executions: EXECUTIONS, concurrency: 25, seed: 99, idleWaitMs: 5_500 });

    expect(report.mismatches).toEqual([]);
    expect(report.stats.executionsStarted).toBe(EXECUTIONS);
    expect(report.stats.byRoute.start).toBe(EXECUTIONS);
    const flows = outcomeFlows();
    for (const outcome of OUTCOMES) expect(report.stats.startsByFlow[flows[outcome].id]).toBe(EXECUTIONS / OUTCOMES.length);
    expect(report.duplicates).toBe(0);
    for (const kind of ['status503', 'status500', 'reset', 'malformedJson', 'status429', 'latency'] as const) expect(report.faults[kind]).toBeGreaterThan(0);
    expect(report.hugeRetryAfters).toBeGreaterThan(0);
    expectClientSawTheFaults(report);
    expect(report.unhandledRejections).toEqual([]);
    expect(report.inFlightAfterEnd).toBe(0);
    expect(report.busyAgentSockets).toBe(0);
    expect(report.referencedIdleSockets).toBe(0);
    expect(report.socketsAfterIdleWait).toBe(0);
    expect(report.handlesLeft).toEqual({});
    expect(report.secretLeaks).toEqual([]);
    recordResults('soak', 'faults', faultFigures(report));
  });
});
