import { describe, expect, it } from '@jest/globals';
import { fakeFlowServer, json, running, virtualClient } from '../helpers/fakeFlowServer';
import { startInVirtualTime } from '../helpers/startInVirtualTime';

// What one busy answer to a start costs the server on a busy flow. The look after a 429/503
// (lib/api/busyStart.ts) reads the flow's listing and GETs each execution this client does not
// know: on a flow that 500 other processes' starts made in the last hour, without bounds that was
// every listing page back an hour and 500 GETs, sent to a server that had just said it is
// overloaded. The look is bounded (a few listing pages, a few GETs, newest first) and, when the
// busy answer says the server's time (its Date header), looks only at the executions this call
// can have made.

const FLOW = '5f1a0000-0000-4000-8000-00000000000b';
const XML = '<Letter><No>1</No></Letter>';
const OTHERS = 500;
/** The others' executions: one every 7 s over the last 58 minutes before the call. */
const SPACING_MS = 7_000;
/** Server time at the client's virtual 0 (the client's and the server's clocks agree). */
const T0 = Date.UTC(2026, 11, 7, 14, 0, 0);
/** What one look may cost at most: listing pages and execution GETs (busyStart's bounds), plus the adopted execution's progress. */
const MAX_LOOK_REQUESTS = 3 + 16 + 1;

/**
 * A server on the virtual clock holding `OTHERS` executions of the flow (other inputs), listing
 * newest first in pages of the size asked. The first start POST is answered 503 (with the server's
 * `Date` when `date`), after making the execution when `late`; the next ones succeed.
 */
function busyFlowServer(serverNow: () => number, plan: { date: boolean; late: boolean }) {
  let posts = 0;
  const server = fakeFlowServer(FLOW, serverNow, {
    start: (xml, make) => {
      posts++;
      if (posts === 1) {
        if (plan.late) make(xml, true);
        return json({ message: 'busy' }, 503, { 'retry-after': '1', ...(plan.date ? { date: new Date(serverNow()).toUTCString() } : {}) });
      }
      return running(make(xml, true).id);
    },
  });
  for (let i = OTHERS; i >= 1; i--) server.make(`<Letter><No>${1000 + i}</No></Letter>`, false, T0 - i * SPACING_MS);
  return {
    ...server,
    readCreatedMs: () => server.reads().map((id) => server.executions.find((e) => e.id === id)!.createdMs),
    posts: () => posts,
  };
}

async function startOnce(plan: { date: boolean; late: boolean }) {
  // This machine's clock (the client's scheduler) agrees with the server's: a busy answer's Date later than it is not used.
  const { scheduler, server, client } = virtualClient(T0, (now) => busyFlowServer(now, plan), { maxRetries: 2, delayMs: 100, maxDelayMs: 4_000, jitter: false });
  const seen = await startInVirtualTime(client, scheduler, FLOW, XML, 60_000);
  return { seen, server };
}

describe('one busy answer to a start on a flow with 500 other executions in the last hour', () => {
  it.each([
    ['without a Date header', false],
    ['with a Date header', true],
  ])('%s, before the server made anything: the look costs at most its bounds, and one execution at most is made', async (_name, date) => {
    const { seen, server } = await startOnce({ date, late: false });
    const lookRequests = server.listings() + server.reads().length;
    expect(seen.done).toBe(true);
    expect(lookRequests).toBeLessThanOrEqual(MAX_LOOK_REQUESTS);
    expect(server.mine().length).toBeLessThanOrEqual(1);
    // Nothing made and nothing sent again: the error must say an execution may exist.
    if (server.mine().length === 0) expect(seen.error).toMatchObject({ status: 503, executionMayExist: true });
  });

  it.each([
    ['without a Date header', false],
    ['with a Date header', true],
  ])('%s, after the server made it (a late 503): adopted within the look\'s bounds', async (_name, date) => {
    const { seen, server } = await startOnce({ date, late: true });
    expect(seen.error).toBeUndefined();
    expect(server.mine().map((e) => e.id)).toEqual([seen.value?.id]);
    expect(server.posts()).toBe(1);
    expect(server.listings() + server.reads().length).toBeLessThanOrEqual(MAX_LOOK_REQUESTS);
  });

  it('with a Date header, executions older than the window the Date gives are not read at all, and none found sends the start again', async () => {
    const { seen, server } = await startOnce({ date: true, late: false });
    // The window: the busy answer's Date (whole seconds) less the POST's time in flight (0 here)
    // and the 30 s tolerance for the gateway's clock against the backend's.
    const cutoff = T0 - 1_000 - 30_000;
    expect(server.readCreatedMs().every((ms) => ms >= cutoff)).toBe(true);
    expect(server.reads().length).toBeLessThanOrEqual(Math.ceil(31_000 / SPACING_MS));
    expect(server.listings()).toBe(1);
    expect(seen.error).toBeUndefined();
    expect(server.posts()).toBe(2);
    expect(server.mine().length).toBe(1);
  });
});
