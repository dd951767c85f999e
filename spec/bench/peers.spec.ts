import { describe, expect, it } from '@jest/globals';
// The deterministic parts of bench part 6: the schedule replay and the dominance checks its
// targets are computed with (the wall-clock phases need the machine; these do not).
import { dominating, frontLagAt, notDominated, peersFront, peerTargets } from '../../bench/peers.mjs';
import { burstFlows, replay, scheduleRows, scheduleStrategies } from '../../bench/peersSchedule.mjs';

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

describe('bench part 6: the peers\' front (targets T2, T3)', () => {
  const row = (key: string, requestsPerExecution: number, lagP95Ms: number) => ({ key, requestsPerExecution, lagP95Ms });
  // A front of three (cheap and slow, 1 s class, fast and dear) and two dominated peers.
  const peers = [row('slow', 2, 4000), row('second', 4, 1000), row('dominated', 6, 1000), row('fast', 16, 250), row('worse', 20, 300)];

  it('is the peers no other peer dominates, by requests', () => {
    expect(peersFront(peers).map((p) => p.key)).toEqual(['slow', 'second', 'fast']);
  });

  it('interpolates on log–log axes between the two front peers that bracket the requests, and holds the ends', () => {
    const front = peersFront(peers);
    // 8 requests: halfway between 4 and 16 on a log axis, so halfway between 1000 and 250 on a log axis.
    expect(frontLagAt(front, 8)).toBeCloseTo(500, 6);
    // 2√2 requests: halfway between 2 and 4, lag halfway between 4000 and 1000 (log): 2000.
    expect(frontLagAt(front, 2 * Math.SQRT2)).toBeCloseTo(2000, 6);
    expect(frontLagAt(front, 4)).toBe(1000);
    expect(frontLagAt(front, 1)).toBe(4000);
    expect(frontLagAt(front, 40)).toBe(250);
  });

  it('T2 passes a default 10 % or more below the front at its requests and fails one closer to it', () => {
    const t2 = (ours: { requestsPerExecution: number; lagP95Ms: number }) =>
      peerTargets('x', { key: 'd', ...ours }, peers).find((t) => t.target.includes('T2'));
    // The front at 8 requests is 500 ms: 450 ms is 0.9 × it (passes), 460 ms 0.92 × it (fails).
    expect(t2({ requestsPerExecution: 8, lagP95Ms: 450 })).toMatchObject({ value: 0.9, pass: true, peers: 'slow, second, fast' });
    expect(t2({ requestsPerExecution: 8, lagP95Ms: 460 })).toMatchObject({ value: 0.92, pass: false });
  });

  it('T3 (server holds) asks for a tenth of the front\'s lag; the literal target stays as info', () => {
    const targets = peerTargets('x', { key: 'd', requestsPerExecution: 8, lagP95Ms: 40 }, peers, { holds: true });
    expect(targets.map((t) => [t.target.replace(/^x: /, '').slice(0, 4), t.pass])).toEqual([['info', true], ['T1, ', true], ['T2, ', true], ['T3, ', true]]);
    expect(targets[0]).toMatchObject({ info: true, value: 3, limit: 'info (as written: 0)', peers: 'slow, second, dominated' });
    expect(targets[0]?.why).toMatch(/only below every peer on both axes: < 2 requests \(slow\) and a p95 lag < 250 ms \(fast\)/);
    expect(peerTargets('x', { key: 'd', requestsPerExecution: 8, lagP95Ms: 60 }, peers, { holds: true })[3]).toMatchObject({ value: 0.12, pass: false });
  });

  it('the literal target is passed vacuously by a point every peer dominates (why it is info, and T1/T2 catch it)', () => {
    const worst = { key: 'd', requestsPerExecution: 30, lagP95Ms: 5000 };
    expect(notDominated(worst, peers)).toEqual([]);
    expect(peerTargets('x', worst, peers).map((t) => t.pass)).toEqual([true, false, false]);
  });
});

describe('bench part 6: issue 31\'s burst scenario', () => {
  it('draws 40 flows of 2–8 s, none ending on a whole second, in the shape asked', () => {
    for (const shape of ['one', 'even', 'stages']) {
      const flows = burstFlows({ count: 40, minMs: 2000, maxMs: 8000, shape, seed: 20240607 }) as { queueMs?: number; stages: { durationMs: number; percentage: number }[] }[];
      const totals = flows.map((f) => (f.queueMs ?? 0) + f.stages.reduce((s, st) => s + st.durationMs, 0));
      expect(flows).toHaveLength(40);
      expect(Math.min(...totals)).toBeGreaterThanOrEqual(2000);
      expect(Math.max(...totals)).toBeLessThanOrEqual(8001);
      expect(totals.filter((t) => t % 1000 === 0)).toEqual([]);
      if (shape === 'one') expect(flows.every((f) => f.stages.length === 1)).toBe(true);
      if (shape === 'even') expect(flows.every((f) => f.stages.map((st) => st.percentage).join() === '0,40,80')).toBe(true);
    }
  });

  it('replays the default with its hold probe first (at once) on a fresh client', () => {
    const d = (burst: boolean) => scheduleStrategies({ burst }).find((s) => s.key === 'd');
    expect(d(true)?.first).toBe(0);
    expect(d(false)?.first).toBe(900);
  });
});
