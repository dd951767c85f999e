import { describe, expect, it } from '@jest/globals';
import { MAX_LOOK_PAGES, MAX_LOOK_READS } from '../../lib/api/busyStart';
import { fakeFlowServer, json, running, virtualClient } from '../helpers/fakeFlowServer';
import { startInVirtualTime } from '../helpers/startInVirtualTime';

// The look after a start answered 429/503 (lib/api/busyStart.ts) is bounded by the requests it
// SENDS, retries included: its listing pages and execution GETs are sent once each, a failed one
// makes the look uncertain (nothing sent again, the busy error with `executionMayExist: true`).
// Before, the http layer retried each of them up to `retry.maxRetries` times: 82 requests for one
// busy answer, 455 for one call (attack report round 5, F3). And a busy answer's `Date` later than
// this machine's clock is not used to narrow the window (F4: a gateway's clock ahead of the
// backend's hid the execution just made, and the start was sent again: two executions).

const FLOW = '5f1a0000-0000-4000-8000-00000000000c';
const XML = '<Letter><No>1</No></Letter>';
const MAX_RETRIES = 5;
/** The machine's (scheduler's) clock and the server's at the virtual 0: they agree. */
const T0 = Date.UTC(2026, 11, 7, 14, 0, 0);
/** The documented worst case per busy answer: the POST, its listing pages and its execution GETs, each sent once. */
const PER_BUSY_ANSWER = 1 + MAX_LOOK_PAGES + MAX_LOOK_READS;
/** The documented worst case per call: maxRetries + 1 busy answers, and the adopted execution's first progress GET (retried as any GET). */
const PER_CALL = (MAX_RETRIES + 1) * PER_BUSY_ANSWER + (1 + MAX_RETRIES);

interface Plan {
  /** Start POSTs answered 503 (then 200). Infinity: always. */
  busyPosts: number;
  /** The first 503 comes after the server made the execution. */
  late: boolean;
  /** The busy answers' `Date`, this far ahead of the server's (and the machine's) clock; undefined: no Date. */
  dateAheadMs?: number;
  /** How the listing answers: fine, always 503, or 503 to the first `n` requests of each page. */
  listing: 'ok' | '503' | { failFirst: number };
  /** How execution GETs answer: fine, always 503, a reset connection, or 503 to the first `n` requests of each id. */
  reads: 'ok' | '503' | 'reset' | { failFirst: number };
  /** Other executions of the flow (other inputs), made in the minute before the call. */
  others: number;
}

function server(serverNow: () => number, plan: Plan) {
  const tries = new Map<string, number>();
  const failing = (rule: Plan['listing'] | Plan['reads'], key: string) => {
    const n = (tries.get(key) ?? 0) + 1;
    tries.set(key, n);
    return rule === '503' || (typeof rule === 'object' && n <= rule.failFirst);
  };
  let posts = 0;
  const busy = () => json({ message: 'busy' }, 503, plan.dateAheadMs === undefined ? {} : { date: new Date(serverNow() + plan.dateAheadMs).toUTCString() });
  const srv = fakeFlowServer(FLOW, serverNow, {
    start: (xml, make) => {
      posts++;
      if (posts <= plan.busyPosts) {
        if (posts === 1 && plan.late) make(xml, true);
        return busy();
      }
      return running(make(xml, true).id);
    },
    listing: (page) => (failing(plan.listing, `list ${page}`) ? busy() : undefined),
    read: (found) => {
      if (plan.reads === 'reset') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      return failing(plan.reads, `read ${found.id}`) ? busy() : undefined;
    },
  });
  for (let i = plan.others; i >= 1; i--) srv.make(`<Letter><No>${1000 + i}</No></Letter>`, false, T0 - i * 2_000);
  return { ...srv, posts: () => posts };
}

async function startOnce(plan: Plan) {
  // This machine's clock (the client's scheduler) agrees with the server's.
  const { scheduler, server: srv, client } = virtualClient(T0, (now) => server(now, plan), { maxRetries: MAX_RETRIES, delayMs: 100, maxDelayMs: 4_000, jitter: false });
  const seen = await startInVirtualTime(client, scheduler, FLOW, XML, 600_000);
  return { seen, srv };
}

/** The requests sent between one POST and the next (or the end): the look after each busy answer. */
const perBusyAnswer = (log: string[]) =>
  log.reduce<number[]>((acc, r) => (r.startsWith('POST') ? [...acc, 1] : [...acc.slice(0, -1), (acc.at(-1) ?? 0) + 1]), []);

describe('the look after a busy start: every request it sends counts', () => {
  it('every request answered 503: one call stays within the documented bound, ends with executionMayExist, and sends the start once', async () => {
    const { seen, srv } = await startOnce({ busyPosts: Infinity, late: false, listing: '503', reads: '503', others: 20 });
    expect(seen.done).toBe(true);
    expect(srv.log.length).toBeLessThanOrEqual(PER_CALL);
    expect(srv.log).toEqual(['POST /flows/executions', `GET /flows/${FLOW}/executions`]);
    expect(seen.error).toMatchObject({ status: 503, executionMayExist: true });
  });

  it.each([
    ['answered 503', '503' as const],
    ['a reset connection', 'reset' as const],
  ])('every execution GET %s (20 others in the window): one busy answer costs at most 1 + pages + reads, and the call ends uncertain', async (_name, reads) => {
    const { seen, srv } = await startOnce({ busyPosts: Infinity, late: false, listing: 'ok', reads, others: 20 });
    expect(perBusyAnswer(srv.log).every((n) => n <= PER_BUSY_ANSWER)).toBe(true);
    expect(srv.log.length).toBe(1 + 1 + 1); // the POST, the listing, the newest candidate's GET
    expect(seen.error).toMatchObject({ status: 503, executionMayExist: true });
    expect(srv.posts()).toBe(1);
  });

  it('listing and GETs answer 503 four times then 200, the start always 503: the call stays within the documented bound', async () => {
    const { seen, srv } = await startOnce({ busyPosts: Infinity, late: false, listing: { failFirst: 4 }, reads: { failFirst: 4 }, others: 20 });
    expect(srv.log.length).toBeLessThanOrEqual(PER_CALL);
    expect(perBusyAnswer(srv.log).every((n) => n <= PER_BUSY_ANSWER)).toBe(true);
    expect(seen.error).toMatchObject({ status: 503 });
    expect(srv.mine()).toEqual([]);
  });
});

describe('a busy answer whose Date is ahead of this machine\'s clock', () => {
  it.each([
    ['2 minutes', 2 * 60_000],
    ['a year', 365 * 24 * 3_600_000],
  ])('Date %s ahead, a late 503 (the execution made): adopted, one execution, one POST', async (_name, dateAheadMs) => {
    const { seen, srv } = await startOnce({ busyPosts: 1, late: true, dateAheadMs, listing: 'ok', reads: 'ok', others: 20 });
    expect(seen.error).toBeUndefined();
    expect(srv.mine().map((e) => e.id)).toEqual([seen.value?.id]);
    expect(srv.posts()).toBe(1);
  });

  it('a Date that agrees with this machine\'s clock still narrows the window: the others older than it are not read', async () => {
    const { seen, srv } = await startOnce({ busyPosts: 1, late: false, dateAheadMs: 0, listing: 'ok', reads: 'ok', others: 20 });
    // Others every 2 s over the 40 s before the call; the window reaches 31 s back: at most 16 of them.
    const reads = srv.log.filter((r) => /^GET \/flows\/executions\/[^/]+$/.test(r)).length;
    expect(reads).toBeLessThanOrEqual(16);
    expect(seen.error).toBeUndefined();
    expect(srv.mine().length).toBe(1);
  });
});
