import { beforeAll, describe, expect, it } from '@jest/globals';
import type { FlowProgress } from '../../lib/api/types';
import { SmartFlowsTimeoutError } from '../../lib/errors';
import { DEFAULTS } from '../../lib/options';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

/** A status this client does not know, as the server spelled it. */
const failed = (percentage = 10): FlowProgress => ({ ...progress('Unknown', percentage), rawStatus: 'Failed' });
const ELEVEN_MINUTES = 11 * 60_000;

beforeAll(loadEngine);

/** Runs one flow for at most `forMs` of virtual time; the n-th progress answer is `answer(n)`. */
function runFor(answer: (n: number) => FlowProgress, forMs: number, polling: Record<string, unknown> = {}) {
  const ts = newTestScheduler();
  const seen: { error?: unknown; erroredAt?: number; polls: number } = { polls: 0 };
  ts.run(({ cold }) => {
    const { client } = marbleClient(ts, { progress: () => cold('-(p|)', { p: answer(seen.polls++) }) }, { intervalMs: 1_000, maxIntervalMs: 3_000, ...polling });
    const sub = client.run(FLOW_ID, '<A/>').subscribe({ error: (e: unknown) => ((seen.error = e), (seen.erroredAt = ts.now())) });
    ts.schedule(() => sub.unsubscribe(), forMs);
    ts.flush();
  });
  return seen;
}

// Issue 24 item 15: nothing bounded a stuck execution by default; an unknown status was polled forever.
describe('an unknown status', () => {
  it(`that lasts longer than polling.unknownStatusTimeoutMs (default ${DEFAULTS.polling.unknownStatusTimeoutMs} ms) errors with SmartFlowsTimeoutError naming the execution and its status`, () => {
    const seen = runFor(() => failed(), ELEVEN_MINUTES);
    // Before the fix: no error after 11 minutes (and none ever): 220 polls and counting.
    expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(seen.error).toMatchObject({ executionId: EXEC_ID, timeoutMs: 600_000 });
    expect((seen.error as Error).message).toContain("'Failed'");
    expect(seen.erroredAt).toBeGreaterThanOrEqual(600_000);
    expect(seen.erroredAt).toBeLessThanOrEqual(600_000 + 3_000 + 2);
  });

  it('counts from the first unknown answer in a row: a known status in between starts the count again', () => {
    // Unknown for 9 minutes (about 180 polls at 3 s), Running once, then unknown again.
    const seen = runFor((n) => (n === 180 ? progress('Running', 20) : failed()), ELEVEN_MINUTES);
    expect(seen.error).toBeUndefined();
  });

  it('is polled on forever with unknownStatusTimeoutMs 0 (the bound is an option)', () => {
    const seen = runFor(() => failed(), ELEVEN_MINUTES, { unknownStatusTimeoutMs: 0 });
    expect(seen.error).toBeUndefined();
  });

  it('ends earlier with a smaller bound', () => {
    const seen = runFor(() => failed(), ELEVEN_MINUTES, { unknownStatusTimeoutMs: 10_000 });
    expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(seen.erroredAt).toBeLessThanOrEqual(10_000 + 3_000 + 2);
  });
});
