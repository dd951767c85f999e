import { describe, expect, it } from '@jest/globals';
import { answerLater, fakeFlowServer, json, running, virtualClient } from '../helpers/fakeFlowServer';
import { startsInVirtualTime } from '../helpers/startInVirtualTime';

// Starts of one client with the same flow and the same input at once (identical batch rows, a
// worker's identical jobs), one answered busy: its look must not adopt the execution of another
// of these calls (one whose answer has not come yet, or that another look adopted). Attack 6, H1.

const FLOW = '5f1a0000-0000-4000-8000-000000000001';
const XML = '<Letter>same</Letter>';
type Plan = { status: 200 | 429 | 503; made: boolean; delayMs: number; retryAfter?: number }[];

function setUp(plan: Plan, hangListing = false) {
  let posts = 0;
  return virtualClient(
    0,
    (now, vts) => {
      const server = fakeFlowServer(FLOW, now, {
        start: (xml, make) => {
          const p = plan[posts++] ?? { status: 200, made: true, delayMs: 0 };
          const made = p.made ? make(xml, true) : undefined;
          const headers: Record<string, string> = p.retryAfter !== undefined ? { 'retry-after': String(p.retryAfter) } : {};
          return answerLater(vts, p.delayMs, () => (p.status === 200 ? running(made!.id) : json({ message: 'busy' }, p.status, headers)));
        },
      });
      // The first listing never answers when asked (a look still running when its call is left).
      let hung = false;
      const fetch: typeof server.fetch = (input, init) => {
        if (hangListing && !hung && String(input).includes(`/flows/${FLOW}/executions`)) {
          hung = true;
          server.log.push('GET (hung listing)');
          return new Promise<Response>(() => undefined);
        }
        return server.fetch(input, init);
      };
      return { ...server, fetch };
    },
    { maxRetries: 2, delayMs: 500, maxDelayMs: 4_000, jitter: false },
  );
}

describe('same-input starts in one client after a busy answer', () => {
  it('one start made at once but answered 200 after 1.5 s, the other answered 503 at once: two executions, each call its own', async () => {
    const { scheduler, server, client } = setUp([
      { status: 200, made: true, delayMs: 1_500 },
      { status: 503, made: true, delayMs: 0 },
    ]);
    const [a, b] = await startsInVirtualTime(client, scheduler, FLOW, [XML, XML], 30_000);
    expect(server.mine()).toHaveLength(2);
    expect([a!.value?.id, b!.value?.id].sort()).toEqual(server.mine().map((e) => e.id).sort());
    // The look ran after the slow answer came (not before), and no start was sent again.
    expect(server.log.filter((r) => r.startsWith('POST'))).toHaveLength(2);
  });

  it('four starts, each made and answered 503 with Retry-After 1 (their looks due at the same moment): four distinct executions', async () => {
    const { scheduler, server, client } = setUp(Array.from({ length: 4 }, () => ({ status: 503 as const, made: true, delayMs: 0, retryAfter: 1 })));
    const seen = await startsInVirtualTime(client, scheduler, FLOW, [XML, XML, XML, XML], 60_000);
    const ids = seen.map((s) => s.value?.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids.sort()).toEqual(server.mine().map((e) => e.id).sort());
  });

  it('the happy path: same-input starts answered 200 are sent at once, side by side, and nothing else', async () => {
    const { scheduler, server, client } = setUp([
      { status: 200, made: true, delayMs: 1_000 },
      { status: 200, made: true, delayMs: 1_000 },
    ]);
    const seen = await startsInVirtualTime(client, scheduler, FLOW, [XML, XML], 30_000);
    expect(new Set(seen.map((s) => s.value?.id)).size).toBe(2);
    expect(server.log).toEqual([`POST /flows/executions`, `POST /flows/executions`]);
  });

  it('a call left during its look (unsubscribed) lets the next same-input start go: nothing stays held', async () => {
    const { scheduler, server, client } = setUp([{ status: 503, made: false, delayMs: 0 }], true);
    const a = client.startExecution(FLOW, XML).subscribe();
    // The look runs from 1 s (the least wait): leave at 1.01 s, while it runs.
    scheduler.maxFrames = 1_010;
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      scheduler.flush();
    }
    expect(server.log).toEqual(['POST /flows/executions', 'GET (hung listing)']);
    a.unsubscribe();
    const [b] = await startsInVirtualTime(client, scheduler, FLOW, [XML], 30_000);
    expect(b!.value?.id).toBe(server.mine()[0]!.id);
    expect(server.log).toEqual(['POST /flows/executions', 'GET (hung listing)', 'POST /flows/executions']);
  });
});
