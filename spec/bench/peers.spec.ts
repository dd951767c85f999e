import { describe, expect, it } from '@jest/globals';
// The deterministic parts of bench part 6: the schedule replay and the dominance checks its
// targets are computed with (the wall-clock phases need the machine; these do not).
import { dominating, notDominated } from '../../bench/peers.mjs';
import { replay, scheduleRows, scheduleStrategies } from '../../bench/peersSchedule.mjs';

/** One flow: a single stage of `ms`, then Success. */
const flow = (ms: number) => ({ id: 'f', displayName: 'f', stages: [{ message: 'Step 1 of 1', durationMs: ms, percentage: 0 }], outcome: 'Success' });
const fixed = (first: number, every: number) => ({ key: 'x', first, delays: () => () => every });

describe('bench part 6: replayed schedules', () => {
  it('count the polls up to the first that sees the end, and the lag after it', () => {
    // Polls at 1, 2 and 3 s; the flow ends at 2.5 s.
    expect(replay([flow(2500)], fixed(1000, 1000))).toEqual({ requestsPerExecution: 3, lagP50Ms: 500, lagP95Ms: 500 });
    // A poller that asks at once after the start pays one more request for the same lag.
    expect(replay([flow(2500)], fixed(0, 1000))).toEqual({ requestsPerExecution: 4, lagP50Ms: 500, lagP95Ms: 500 });
  });

  it('give the same figures on every run (the AWS waiter jitter comes from a seed)', () => {
    const sets = { short: { minMs: 2000, maxMs: 10_000 } };
    expect(scheduleRows({ count: 30, flowSets: sets })).toEqual(scheduleRows({ count: 30, flowSets: sets }));
    expect(scheduleStrategies().map((s) => s.key)).toEqual(['d', 'lro', 'waiter', 'query', 'rxp5', 'rxp1', 'timer', 'v200', 'v1s']);
  });
});

describe('bench part 6: dominance', () => {
  const ours = { key: 'd', requestsPerExecution: 5, lagP95Ms: 900 };
  const row = (key: string, requestsPerExecution: number, lagP95Ms: number) => ({ key, requestsPerExecution, lagP95Ms });

  it('a peer with more requests and a worse lag is dominated; one cheaper or faster is not', () => {
    const peers = [row('worse', 6, 950), row('cheaper', 4, 2000), row('faster', 25, 190), row('same', 5, 900), row('cheaper, same lag', 4, 900)];
    expect(notDominated(ours, peers).map((p) => p.key)).toEqual(['cheaper', 'faster', 'same', 'cheaper, same lag']);
  });

  it('names the peers that dominate ours (as good on both, better on one)', () => {
    const peers = [row('both', 4, 800), row('requests', 4, 900), row('same', 5, 900), row('mixed', 4, 1000)];
    expect(dominating(ours, peers).map((p) => p.key)).toEqual(['both', 'requests']);
  });
});
