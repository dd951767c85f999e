import { describe, expect, it } from '@jest/globals';
import { fakeFlowServer, json, running, virtualClient } from '../helpers/fakeFlowServer';
import { startsInVirtualTime } from '../helpers/startInVirtualTime';

// Each start answered busy narrows its look with the `Date` of ITS OWN busy answer (carried on the
// busy error), not with "the latest" Date any POST of the client was answered with. Two starts
// through two gateways: A's gateway agrees with the backend (its Date is the backend's clock, 10
// minutes behind this machine's), B's gateway agrees with this machine (10 minutes ahead of the
// backend: the window it gives is too narrow for the backend's `createdAt`, B's own risk, documented).
// A's 503 came after the backend made A's execution; B's came before anything was made. When both
// answers came before A's look read a Date, A took B's Date (one per client): its window missed
// the execution it had made, and A was sent again (two executions for one call).

const FLOW = '5f1a0000-0000-4000-8000-00000000000d';
const XML_A = '<Letter><No>1</No></Letter>';
const XML_B = '<Letter><No>2</No></Letter>';
/** This machine's (the scheduler's) clock at the virtual 0. */
const T0 = Date.UTC(2026, 11, 7, 14, 0, 0);
/** The backend's clock (createdAt) against this machine's. */
const BACKEND_BEHIND_MS = 600_000;

/** The backend behind two gateways; both first start POSTs are held until both came, then answered A first. */
function twoGateways(now: () => number) {
  const backendNow = () => now() - BACKEND_BEHIND_MS;
  const posts: string[] = [];
  let release!: () => void;
  const bothCame = new Promise<void>((resolve) => (release = resolve));
  const server = fakeFlowServer(FLOW, backendNow, {
    start: async (xml, make) => {
      posts.push(xml);
      if (posts.filter((p) => p === xml).length > 1) return running(make(xml, true).id);
      if (posts.length === 2) release();
      await bothCame;
      if (xml === XML_A) {
        make(xml, true);
        return json({ message: 'busy' }, 503, { 'retry-after': '1', date: new Date(backendNow()).toUTCString() });
      }
      // B's own answer, a microtask later than A's: both came before either error reached its look.
      await Promise.resolve();
      return json({ message: 'busy' }, 503, { 'retry-after': '1', date: new Date(now()).toUTCString() });
    },
  });
  return { ...server, posts, made: (xml: string) => server.executions.filter((e) => e.xml === xml).map((e) => e.id) };
}

describe('two concurrent starts answered busy', () => {
  it('each narrows its look with its own busy answer\'s Date: A finds the execution its late 503 hid and adopts it, B (nothing made) is sent again', async () => {
    const { scheduler, server, client } = virtualClient(T0, twoGateways, { maxRetries: 2, delayMs: 100, maxDelayMs: 4_000, jitter: false });
    const [a, b] = await startsInVirtualTime(client, scheduler, FLOW, [XML_A, XML_B], 60_000);
    expect({ a: a!.error, b: b!.error }).toEqual({ a: undefined, b: undefined });
    // A: one POST, one execution, adopted; B: sent again after its look found nothing.
    expect(server.posts.filter((p) => p === XML_A)).toHaveLength(1);
    expect(server.made(XML_A)).toEqual([a!.value?.id]);
    expect(server.posts.filter((p) => p === XML_B)).toHaveLength(2);
    expect(server.made(XML_B)).toEqual([b!.value?.id]);
  });
});
