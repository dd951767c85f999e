import { describe, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { MAX_LOOK_PAGES, MAX_LOOK_READS } from '../../lib/api/busyStart';
import { answerLater, fakeFlowServer, json, running, virtualClient } from '../helpers/fakeFlowServer';
import { startInVirtualTime, startsInVirtualTime } from '../helpers/startInVirtualTime';

/**
 * A model of ONE start call (`startExecution`, what `run`, batches and the BullMQ processor send)
 * against a server whose start answers are scripted, one per POST: a refused connection (nothing
 * made), a busy answer (429 or 503) given before the server made anything or after it made the
 * execution (a gateway's late answer), a 500, 502 or 504 after making it or not, a connection
 * dropped after sending (made or not), or a success. The flow's listing is fresh, lags behind
 * (an execution shows up to the first backoff wait after it was made), or is unavailable (404,
 * 403). Other executions of the flow, with other inputs, are in the listing: a few, or many (up
 * to 400 over the last hour, as when other processes share a busy flow), and more made by others
 * at each POST. A busy answer may carry the server's `Date` (a gateway's clock up to 60 s behind or
 * 29 s ahead of the backend's `createdAt`, or 2 minutes or a year ahead of it while also ahead of
 * this machine's clock; the server's clocks up to 30 minutes off the client's). The look's own
 * requests (listing pages, execution GETs) may fail, in order: answered 503, or the connection
 * reset.
 * The listing pages (100, newest first). Everything runs on a fake fetch and a virtual clock
 * shared with the client's scheduler. Checked once the call ended:
 * - never two executions for one start call;
 * - never an execution made that the caller cannot learn about: it is the call's answer (made
 *   by it, or adopted), or the error carries `executionMayExist: true` (look before starting again);
 *   an error without it means the server made nothing;
 * - bounded requests per busy answer, every request sent counted (retries too): at most
 *   MAX_LOOK_PAGES listing requests and MAX_LOOK_READS execution GETs (lib/api/busyStart.ts),
 *   however many executions the flow has and however its listing and GETs fail; per call at most
 *   maxRetries + 1 POSTs, their looks, and the adopted execution's first progress GET (retried as any GET);
 *   none when no answer was busy (the happy path costs nothing), and no request at all after a
 *   refused connection but the POST again.
 * `MODEL_RUNS=500` for a longer hunt.
 */

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 100);
const FLOW = '5f1a0000-0000-4000-8000-00000000000a';
const XML = '<Letter><No>7</No></Letter>';
/** The first backoff wait (jitter off): a lagging listing shows an execution within it. */
const DELAY_MS = 100;

type Answer =
  | { kind: 'refused' }
  | { kind: 'busy'; status: 429 | 503; made: boolean; retryAfter?: number }
  | { kind: 'gateway'; status: 500 | 502 | 504; made: boolean }
  | { kind: 'dropped'; made: boolean }
  | { kind: 'ok' };
type Listing = { kind: 'fresh' } | { kind: 'lag'; lagMs: number } | { kind: 'unavailable'; status: 404 | 403 };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  fc.constant<Answer>({ kind: 'refused' }),
  fc.record({ kind: fc.constant('busy' as const), status: fc.constantFrom(429 as const, 503 as const), made: fc.boolean(), retryAfter: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('gateway' as const), status: fc.constantFrom(500 as const, 502 as const, 504 as const), made: fc.boolean() }),
  fc.record({ kind: fc.constant('dropped' as const), made: fc.boolean() }),
  fc.constant<Answer>({ kind: 'ok' }),
);
const listing: fc.Arbitrary<Listing> = fc.oneof(
  fc.constant<Listing>({ kind: 'fresh' }),
  fc.record({ kind: fc.constant('lag' as const), lagMs: fc.integer({ min: 1, max: DELAY_MS }) }),
  fc.record({ kind: fc.constant('unavailable' as const), status: fc.constantFrom(404 as const, 403 as const) }),
);
const scenario = fc.record({
  answers: fc.array(answer, { minLength: 1, maxLength: 7 }),
  listing,
  others: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 20, max: 400 })),
  /** Executions other processes start at the moment of each of this call's POSTs. */
  othersPerPost: fc.integer({ min: 0, max: 3 }),
  /** Whether busy answers carry the server's Date, and how far the gateway's clock is from the backend's. */
  date: fc.option(fc.oneof(fc.integer({ min: -60_000, max: 29_000 }), fc.constantFrom(2 * 60_000, 365 * 24 * 3_600_000)), { nil: undefined }),
  /** The look's listing pages and execution GETs, in the order sent: fine, answered 503, or reset; fine after the list. */
  lookFaults: fc.array(fc.constantFrom('ok' as const, '503' as const, 'reset' as const), { maxLength: 6 }),
  /** The server's clocks against the client's. */
  serverOffsetMs: fc.integer({ min: -30 * 60_000, max: 30 * 60_000 }),
  maxRetries: fc.integer({ min: 0, max: 4 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** The scripted server behind a fake fetch, on the virtual clock `now`. */
function modelServer(s: Scenario, now: () => number) {
  /** The backend's clock (createdAt), off the client's by serverOffsetMs. */
  const serverNow = () => now() + s.serverOffsetMs;
  let posts = 0;
  let lookRequests = 0;
  const lookFault = () => s.lookFaults[lookRequests++] ?? 'ok';
  const fail = (fault: 'ok' | '503' | 'reset') => {
    if (fault === 'reset') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    return fault === '503' ? json({ message: 'busy' }, 503) : undefined;
  };
  const server = fakeFlowServer(FLOW, serverNow, {
    start: (xml, make) => {
      const script = s.answers[posts++] ?? { kind: 'ok' };
      for (let i = 0; i < s.othersPerPost; i++) make(`<Letter><No>${5000 + server.executions.length + 1}</No></Letter>`, false);
      if (script.kind === 'refused') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      const made = script.kind === 'ok' || script.made ? make(xml, true) : undefined;
      if (script.kind === 'busy') {
        return json({ message: 'busy' }, script.status, {
          ...(script.retryAfter !== undefined ? { 'retry-after': String(script.retryAfter) } : {}),
          ...(s.date !== undefined ? { date: new Date(serverNow() + s.date).toUTCString() } : {}),
        });
      }
      if (script.kind === 'gateway') return json({ message: 'bad gateway' }, script.status);
      if (script.kind === 'dropped') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      return running(made!.id);
    },
    listing: () => fail(lookFault()) ?? (s.listing.kind === 'unavailable' ? json({ message: 'no' }, s.listing.status) : undefined),
    visible: (e) => s.listing.kind !== 'lag' || serverNow() - e.createdMs >= s.listing.lagMs,
    read: () => fail(lookFault()),
  });
  // Spread over the hour before the call, the newest at its start.
  for (let i = 0; i < s.others; i++) server.make(`<Letter><No>${100 + i}</No></Letter>`, false, serverNow() - Math.floor((i * 3_600_000) / Math.max(s.others, 1)));
  return server;
}

async function runScenario(s: Scenario) {
  // The client's clock starts at 0 (the virtual frame); the server's is off it by serverOffsetMs.
  const { scheduler, server, client } = virtualClient(0, (now) => modelServer(s, now), { maxRetries: s.maxRetries, delayMs: DELAY_MS, maxDelayMs: 4_000, jitter: false });
  const seen = await startInVirtualTime(client, scheduler, FLOW, XML, 120_000);
  return { seen, server };
}

describe('one start call against scripted answers and listings (model)', () => {
  test.prop([scenario], { numRuns: NUM_RUNS })('never two executions for one call, never one the caller cannot learn about, bounded requests per busy answer', async (s) => {
    // Not modelled (documented in docs/errors.md): a gateway far ahead of its backend while both are behind this machine.
    fc.pre(s.date === undefined || s.date <= 29_000 || s.serverOffsetMs + s.date > 0);
    const { seen, server } = await runScenario(s);
    expect(seen.done).toBe(true);
    const mine = server.mine();
    expect(mine.length).toBeLessThanOrEqual(1);
    if (seen.value) {
      expect(mine.map((e) => e.id)).toEqual([seen.value.id]);
    } else if (mine.length === 1) {
      expect(seen.error?.executionMayExist === true || seen.error?.executionId === mine[0]!.id).toBe(true);
    }
    const posts = server.log.filter((r) => r.startsWith('POST')).length;
    const busyAnswers = s.answers.slice(0, posts).filter((a) => a.kind === 'busy').length;
    const listings = server.log.filter((r) => r === `GET /flows/${FLOW}/executions`).length;
    expect(listings).toBeLessThanOrEqual(busyAnswers * MAX_LOOK_PAGES);
    // Execution GETs (not progress): the look's reads, and none otherwise.
    const reads = server.log.filter((r) => /^GET \/flows\/executions\/[^/]+$/.test(r)).length;
    expect(reads).toBeLessThanOrEqual(busyAnswers * MAX_LOOK_READS);
    // Per call, every request counted: the POSTs (maxRetries + 1 at most that reached the server; a
    // refused connection reaches none and is sent again by the http layer), each busy answer's
    // look, and the adopted execution's first progress GET with its retries.
    const refused = s.answers.slice(0, posts).filter((a) => a.kind === 'refused').length;
    expect(posts - refused).toBeLessThanOrEqual(s.maxRetries + 1);
    const progress = server.log.filter((r) => /^GET \/flows\/executions\/[^/]+\/progress$/.test(r)).length;
    expect(progress).toBeLessThanOrEqual(busyAnswers === 0 ? 0 : s.maxRetries + 1);
    expect(server.log.length).toBeLessThanOrEqual(posts + busyAnswers * (MAX_LOOK_PAGES + MAX_LOOK_READS) + progress);
    // Without a busy answer the call sent its POSTs and nothing else.
    if (busyAnswers === 0) expect(server.log.filter((r) => !r.startsWith('POST'))).toEqual([]);
  });
});

/**
 * Several start calls of ONE client with the same flow and the same input at once (a batch with
 * identical rows, a worker's identical jobs). Each POST, in the order the server gets them, is
 * answered: a success, or busy (429 or 503) before or after making the execution; either at once
 * or slowly (up to 2 s: a late 503, a success whose answer comes after another call's busy answer
 * and wait). The listing is fresh or lags (within the first wait). Checked once all calls ended:
 * - each call that succeeded names a distinct execution (no call adopts another call's), one made
 *   with this input;
 * - executions made == calls that succeeded, but for calls that ended with `executionMayExist`
 *   (each may leave one); never more executions than calls;
 * - bounded requests: per call at most maxRetries + 1 POSTs; per busy answer one look's bounds.
 */
type SameAnswer = { kind: 'ok'; delayMs: number } | { kind: 'busy'; status: 429 | 503; made: boolean; delayMs: number; retryAfter?: number };
const sameAnswer: fc.Arbitrary<SameAnswer> = fc.oneof(
  fc.record({ kind: fc.constant('ok' as const), delayMs: fc.constantFrom(0, 0, 50, 1_500, 2_000) }),
  fc.record({
    kind: fc.constant('busy' as const),
    status: fc.constantFrom(429 as const, 503 as const),
    made: fc.boolean(),
    delayMs: fc.constantFrom(0, 0, 50, 1_500),
    retryAfter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  }),
);
const sameScenario = fc.record({
  calls: fc.integer({ min: 2, max: 4 }),
  answers: fc.array(sameAnswer, { minLength: 1, maxLength: 10 }),
  lagMs: fc.option(fc.integer({ min: 1, max: DELAY_MS }), { nil: undefined }),
  others: fc.integer({ min: 0, max: 3 }),
  maxRetries: fc.integer({ min: 0, max: 3 }),
});
type SameScenario = typeof sameScenario extends fc.Arbitrary<infer S> ? S : never;

async function runSameScenario(s: SameScenario) {
  let posts = 0;
  const { scheduler, server, client } = virtualClient(
    0,
    (now, vts) => {
      const srv = fakeFlowServer(FLOW, now, {
        start: (xml, make) => {
          const script = s.answers[posts++] ?? { kind: 'ok', delayMs: 0 };
          const made = script.kind === 'ok' || script.made ? make(xml, true) : undefined;
          if (script.kind === 'busy') {
            const headers: Record<string, string> = script.retryAfter !== undefined ? { 'retry-after': String(script.retryAfter) } : {};
            return answerLater(vts, script.delayMs, () => json({ message: 'busy' }, script.status, headers));
          }
          return answerLater(vts, script.delayMs, () => running(made!.id));
        },
        visible: (e) => s.lagMs === undefined || now() - e.createdMs >= s.lagMs,
      });
      for (let i = 0; i < s.others; i++) srv.make(`<Letter><No>${100 + i}</No></Letter>`, false, now() - 1_000 * (i + 1));
      return srv;
    },
    { maxRetries: s.maxRetries, delayMs: DELAY_MS, maxDelayMs: 4_000, jitter: false },
  );
  const seen = await startsInVirtualTime(client, scheduler, FLOW, Array.from({ length: s.calls }, () => XML), 120_000);
  return { seen, server, posts };
}

describe('concurrent start calls with the same input in one client (model)', () => {
  test.prop([sameScenario], { numRuns: Math.ceil(NUM_RUNS / 2) })('each call that succeeded names its own execution; executions made == calls that succeeded (or may exist); bounded requests', async (s) => {
    const { seen, server, posts } = await runSameScenario(s);
    expect(seen.every((c) => c.done)).toBe(true);
    const mine = server.mine().map((e) => e.id);
    const ids = seen.flatMap((c) => (c.value ? [c.value.id] : []));
    // No call adopts another call's execution: the ids answered are distinct, each one made with this input.
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(mine).toContain(id);
    // Executions made == calls that succeeded, but for calls that say one may exist.
    const mayExist = seen.filter((c) => c.error?.executionMayExist === true).length;
    expect(mine.length).toBeLessThanOrEqual(ids.length + mayExist);
    expect(mine.length).toBeLessThanOrEqual(s.calls);
    // Bounded: at most maxRetries + 1 POSTs per call, and one bounded look per busy answer.
    expect(posts).toBeLessThanOrEqual(s.calls * (s.maxRetries + 1));
    const busyAnswers = s.answers.slice(0, posts).filter((a) => a.kind === 'busy').length;
    expect(server.listings()).toBeLessThanOrEqual(busyAnswers * MAX_LOOK_PAGES);
    expect(server.reads().length).toBeLessThanOrEqual(busyAnswers * MAX_LOOK_READS);
    if (busyAnswers === 0) expect(server.log.filter((r) => !r.startsWith('POST'))).toEqual([]);
  });
});
