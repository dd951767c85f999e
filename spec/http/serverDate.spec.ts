import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsHttpError } from '../../lib/errors';
import { createTransport, type HttpRequest } from '../../lib/http/transport';
import { serverDateOf } from '../../lib/http/serverDateOf';
import { normalizeOptions } from '../../lib/options';

// The Date of a busy answer to a POST, carried by the error the transport builds for it (with
// when the answer came on the client's scheduler), for the start that got it (api/busyStart.ts).
// Moved here from the fetch wrapper's specs (noteServerDates, which noted "the latest" one per client).

const T = Date.parse('2026-12-07T14:00:00Z');
const POST: HttpRequest = { method: 'POST', path: '/flows/executions', body: '<a/>', contentType: 'application/xml' };
const GET: HttpRequest = { method: 'GET', path: '/flows/executions/00000000-0000-4000-8000-000000000001' };
const answer = (status: number, headers: Record<string, string> = {}) => new Response('{}', { status, headers });

/** A transport over `next()`'s answers, on a scheduler whose clock reads `clock.now`. */
function transportAt(next: () => Response) {
  const clock = { now: 0 };
  const scheduler = new VirtualTimeScheduler();
  scheduler.now = () => clock.now;
  const send = createTransport(normalizeOptions({ baseUrl: 'https://x.test', apiKey: 'sk-date-0123456789', scheduler, fetch: async () => next() }));
  const errorOf = (request: HttpRequest) => firstValueFrom(send(request)).then(() => undefined, (e: unknown) => e as SmartFlowsHttpError);
  return { clock, errorOf };
}

describe('the server Date on a busy answer\'s error', () => {
  it('notes a 429/503 answer\'s Date to a POST with the time it came; GETs and other answers carry none', async () => {
    let next = answer(503, { date: 'Mon, 07 Dec 2026 14:00:00 GMT' });
    const { clock, errorOf } = transportAt(() => next);
    clock.now = T + 7;
    const busy = await errorOf(POST);
    expect(busy).toMatchObject({ name: 'SmartFlowsHttpError', status: 503 });
    expect(serverDateOf(busy!)).toEqual({ dateMs: T, atMs: T + 7 });
    clock.now = T + 9;
    for (const [request, res] of [[GET, answer(503, { date: 'Mon, 07 Dec 2026 15:00:00 GMT' })], [POST, answer(500, { date: 'Mon, 07 Dec 2026 15:00:00 GMT' })], [POST, answer(429, { date: 'not a date' })], [POST, answer(503)]] as const) {
      next = res;
      const error = await errorOf(request);
      expect(error).toBeInstanceOf(SmartFlowsHttpError);
      expect({ request: request.method, status: res.status, date: serverDateOf(error!) }).toEqual({ request: request.method, status: res.status, date: undefined });
    }
    // Each error its own: the first one's is as it was.
    expect(serverDateOf(busy!)).toEqual({ dateMs: T, atMs: T + 7 });
  });

  it('pairs the Date with when the answer came, not when its body was read', async () => {
    // The body is pulled only when read (highWaterMark 0), and the clock moves then.
    const { clock, errorOf } = transportAt(() =>
      new Response(new ReadableStream({ pull: (c) => ((clock.now = T + 500), c.enqueue(new TextEncoder().encode('{"message":"busy"}')), c.close()) }, { highWaterMark: 0 }), {
        status: 429,
        headers: { date: 'Mon, 07 Dec 2026 14:00:00 GMT' },
      }),
    );
    clock.now = T + 20;
    const error = await errorOf(POST);
    expect(clock.now).toBe(T + 500);
    expect(serverDateOf(error!)).toEqual({ dateMs: T, atMs: T + 20 });
  });

  it('does not note a Date later than this machine\'s clock when the answer came (a gateway ahead): the look keeps the hour\'s window', async () => {
    let next = answer(503, { date: 'Mon, 07 Dec 2026 14:00:00 GMT' });
    const { clock, errorOf } = transportAt(() => next);
    clock.now = T + 1_000;
    expect(serverDateOf((await errorOf(POST))!)).toEqual({ dateMs: T, atMs: T + 1_000 });
    // Two minutes ahead, then a year ahead: neither is noted.
    clock.now = T + 2_000;
    for (const date of ['Mon, 07 Dec 2026 14:02:00 GMT', 'Tue, 07 Dec 2027 14:00:00 GMT']) {
      next = answer(503, { date });
      expect(serverDateOf((await errorOf(POST))!)).toBeUndefined();
    }
    // Equal to this machine's clock (whole seconds): noted.
    clock.now = T + 3_000;
    next = answer(429, { date: 'Mon, 07 Dec 2026 14:00:03 GMT' });
    expect(serverDateOf((await errorOf(POST))!)).toEqual({ dateMs: T + 3_000, atMs: T + 3_000 });
  });
});
