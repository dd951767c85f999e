// A fuzzed hostile server for the transport (issue 24): fast-check builds, per run, what two
// node:http servers on 127.0.0.1 (two origins) answer — redirect chains and loops, hops to the
// other origin, redirect bodies that never end, then an answer with any Content-Encoding
// (gzip, deflate, br, identity, an unknown one, a false claim), an honest, short, long or absent
// Content-Length, bodies that inflate past the limit or never end, truncated or deep JSON, the
// wrong Content-Type, a slow trickle — and one request through either Node fetch.
// Each request must end, within a bounded time, with a value or one of the library's typed
// errors; read at most its limit and one chunk of decoded bytes per answer; never send the key
// to the other origin; and leave no socket open on either server.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Transform } from 'node:stream';
import { brotliCompressSync, createBrotliCompress, createDeflate, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { firstValueFrom } from 'rxjs';
import { createTransport, type HttpRequest, MAX_JSON_BYTES } from '../../lib/http/transport';
import { normalizeOptions } from '../../lib/options';
import { SmartFlowsHttpError, SmartFlowsNetworkError, SmartFlowsResponseError, SmartFlowsTimeoutError } from '../../lib/errors';
import { bomb, countingFetch, FETCHES, type HostileServer, startHostileServer } from '../helpers/hostileHttp';

const KEY = 'sk-hostile-0123456789';
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 250;
/** Far above what a run may take (the request timeout, a trickle, a redirect chain): a run past it hangs. */
const RUN_LIMIT_MS = 5_000;
const HUGE = MAX_JSON_BYTES + 64 * 1024;

type Where = 'same' | 'other';
type Coding = 'identity' | 'gzip' | 'deflate' | 'br' | 'bogus' | 'false-gzip';
type Kind = 'json' | 'truncated' | 'html' | 'deep' | 'empty' | 'huge' | 'endless';
interface Hop { status: 301 | 302 | 303 | 307 | 308; where: Where | 'loop'; body: 'none' | 'small' | 'endless' }
interface Final {
  status: 200 | 204 | 302 | 404 | 500;
  coding: Coding;
  length: 'honest' | 'short' | 'long' | 'absent';
  kind: Kind;
  contentType: 'application/json' | 'text/html' | 'none';
  trickle: boolean;
}
interface Scenario { fetch: number; responseType: 'json' | 'bytes' | 'blob' | 'stream'; hops: Hop[]; final: Final }

// Weighted (a value repeated is drawn more often) toward what bounds are made for: compressed
// and endless bodies, honest lengths, and chains short enough to reach the final answer.
const hop = fc.record({
  status: fc.constantFrom(301, 302, 303, 307, 308),
  where: fc.constantFrom('same', 'other', 'other', 'loop'),
  body: fc.constantFrom('none', 'small', 'endless', 'endless'),
});
const scenario: fc.Arbitrary<Scenario> = fc.record({
  fetch: fc.integer({ min: 0, max: FETCHES.length - 1 }),
  responseType: fc.constantFrom('json', 'json', 'bytes', 'blob', 'stream'),
  hops: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(hop, { minLength: 1, maxLength: 7 }), weight: 3 }),
  final: fc.record({
    status: fc.constantFrom(200, 200, 200, 200, 204, 302, 404, 500),
    coding: fc.constantFrom('identity', 'identity', 'gzip', 'gzip', 'deflate', 'deflate', 'br', 'br', 'bogus', 'false-gzip'),
    length: fc.constantFrom('honest', 'honest', 'honest', 'short', 'long', 'absent'),
    kind: fc.constantFrom('json', 'json', 'truncated', 'html', 'deep', 'empty', 'huge', 'huge', 'huge', 'endless', 'endless'),
    contentType: fc.constantFrom('application/json', 'text/html', 'none'),
    trickle: fc.boolean(),
  }),
}) as fc.Arbitrary<Scenario>;

const PLAIN: Record<Exclude<Kind, 'huge' | 'endless'>, string> = {
  json: '{"status":"Running","percentage":10,"message":"working"}',
  truncated: '{"status":"Runn',
  html: '<html><body>Bad gateway</body></html>',
  deep: '['.repeat(5_000) + ']'.repeat(5_000),
  empty: '',
};
const hugePlain = Buffer.alloc(HUGE, 0x20);

/** The bytes on the wire for a finite body, and the Content-Encoding header claimed. */
function encoded(kind: Exclude<Kind, 'endless'>, coding: Coding): { bytes: Buffer; header?: string } {
  if (kind === 'huge' && (coding === 'gzip' || coding === 'deflate' || coding === 'br')) return { bytes: bomb(coding, HUGE), header: coding };
  const plain = kind === 'huge' ? hugePlain : Buffer.from(PLAIN[kind]);
  switch (coding) {
    case 'gzip': return { bytes: gzipSync(plain), header: 'gzip' };
    case 'deflate': return { bytes: deflateSync(plain), header: 'deflate' };
    case 'br': return { bytes: brotliCompressSync(plain), header: 'br' };
    case 'bogus': return { bytes: plain, header: 'x-bogus' };
    case 'false-gzip': return { bytes: plain, header: 'gzip' };
    default: return { bytes: plain };
  }
}

/** Writes `chunk` every 2 ms through `encoder` until the client goes away. */
function endless(res: ServerResponse, encoder: Transform): void {
  encoder.pipe(res);
  const chunk = Buffer.alloc(16 * 1024, 0x20);
  const pump = setInterval(() => {
    encoder.write(chunk);
    (encoder as Transform & { flush?: () => void }).flush?.();
  }, 2);
  res.on('close', () => {
    clearInterval(pump);
    encoder.destroy();
  });
}

function encoderFor(coding: Coding): { encoder: Transform; header?: string } {
  switch (coding) {
    case 'gzip': return { encoder: createGzip(), header: 'gzip' };
    case 'deflate': return { encoder: createDeflate(), header: 'deflate' };
    case 'br': return { encoder: createBrotliCompress(), header: 'br' };
    case 'bogus': return { encoder: new PassThrough(), header: 'x-bogus' };
    case 'false-gzip': return { encoder: new PassThrough(), header: 'gzip' };
    default: return { encoder: new PassThrough() };
  }
}

function serveFinal(final: Final, res: ServerResponse): void {
  const headers: Record<string, string | number> = {};
  if (final.contentType !== 'none') headers['Content-Type'] = final.contentType;
  if (final.kind === 'endless') {
    const { encoder, header } = encoderFor(final.coding);
    if (header) headers['Content-Encoding'] = header;
    // An endless body can only claim a length it will pass: 'long' claims a gigabyte.
    if (final.length === 'long') headers['Content-Length'] = 2 ** 30;
    res.writeHead(final.status, headers);
    return endless(res, encoder);
  }
  const { bytes, header } = encoded(final.kind, final.coding);
  if (header) headers['Content-Encoding'] = header;
  if (final.length === 'honest') headers['Content-Length'] = bytes.length;
  if (final.length === 'short') headers['Content-Length'] = Math.floor(bytes.length / 2);
  if (final.length === 'long') headers['Content-Length'] = bytes.length + 100;
  res.writeHead(final.status, headers);
  if (!final.trickle || bytes.length > 64 * 1024) return void res.end(bytes);
  // A slow trickle: twenty pieces, 5 ms apart.
  const piece = Math.max(1, Math.ceil(bytes.length / 20));
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    if (at >= bytes.length) return void res.end();
    res.write(bytes.subarray(at, (at += piece)));
    timer = setTimeout(next, 5);
  };
  let timer = setTimeout(next, 5);
  res.on('close', () => clearTimeout(timer));
}

let a: HostileServer;
let b: HostileServer;
beforeAll(async () => {
  [a, b] = await Promise.all([startHostileServer(), startHostileServer()]);
});
afterAll(() => Promise.all([a.close(), b.close()]));

const TYPED = [SmartFlowsHttpError, SmartFlowsResponseError, SmartFlowsTimeoutError, SmartFlowsNetworkError];

/** Sends the request and, for a stream, reads it to its end; gives the value or the error. */
async function outcome(run: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    const response = (await run) as { body: unknown };
    if (response.body instanceof ReadableStream) {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      while (!(await reader.read()).done);
    }
    return { value: response };
  } catch (error) {
    return { error };
  }
}

test.prop([scenario], { numRuns: 30 })(
  'each request ends with a value or a typed error, reads at most its limit, keeps the key at home and leaves no socket open',
  async ({ fetch: which, responseType, hops, final }) => {
    a.seen.length = 0;
    b.seen.length = 0;
    const server = (where: Where) => (where === 'same' ? a : b);
    // Step i (hop i, or the final answer after the last hop) is served at /api/v1/h{i}, on server
    // A ('same', where the request starts) or B ('other'). A hop's `where` names its target: on
    // the same server as itself, on the other one, or step 0 again (a loop).
    const places: Where[] = ['same'];
    for (const hop of hops) places.push(hop.where === 'other' ? (places.at(-1) === 'same' ? 'other' : 'same') : places.at(-1)!);
    const urlOf = (i: number) => `${server(places[i]!).origin}/api/v1/h${i}`;
    const handler = (self: Where) => (req: IncomingMessage, res: ServerResponse) => {
      const i = Number(/\/h(\d+)/.exec(req.url ?? '')?.[1] ?? -1);
      if (places[i] !== self) return void res.writeHead(404).end();
      if (i === hops.length) return serveFinal(final, res);
      const hop = hops[i]!;
      res.writeHead(hop.status, { Location: hop.where === 'loop' ? urlOf(0) : urlOf(i + 1), 'Content-Type': 'text/plain' });
      if (hop.body === 'none') return void res.end();
      if (hop.body === 'small') return void res.end('Found. Redirecting.');
      endless(res, new PassThrough());
    };
    a.handle(handler('same'));
    b.handle(handler('other'));

    const counting = countingFetch(FETCHES[which]![1]);
    // One attempt: a retry (after a timeout of a slow chain) starts again at A with the key, as
    // it should, and would read as a key sent to A after a hop away (seen once in ~10 runs).
    const transport = createTransport(normalizeOptions({ baseUrl: a.origin, apiKey: KEY, fetch: counting.fetch, requestTimeoutMs: TIMEOUT_MS, retry: { maxRetries: 0 } }));
    const request: HttpRequest = { method: 'GET', path: '/h0', responseType, maxBytes: MAX_BYTES };
    let guard: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      outcome(firstValueFrom(transport(request))),
      new Promise<{ hung: true }>((resolve) => (guard = setTimeout(() => resolve({ hung: true }), RUN_LIMIT_MS))),
    ]);
    clearTimeout(guard);

    // Ends, with a value or a typed error.
    expect(result).not.toHaveProperty('hung');
    const { error } = result as { error?: unknown };
    if (error !== undefined) expect(TYPED.some((type) => error instanceof type)).toBe(true);
    // Bounded: each answer read at most its limit and one chunk (a redirect's body not at all).
    const limitOf = (status: number) => (status >= 200 && status < 300 && responseType !== 'json' ? MAX_BYTES : MAX_JSON_BYTES);
    for (const answer of counting.answers) expect(answer.decoded).toBeLessThanOrEqual(limitOf(answer.status) + counting.largestChunk());
    // The key never reaches the other origin, nor this one after a hop through the other.
    expect(b.seen.filter((r) => r.headers['x-api-key'] !== undefined)).toEqual([]);
    const firstAway = a.seen.length && b.seen.length ? Math.min(...b.seen.map((r) => r.at)) : Infinity;
    expect(a.seen.filter((r) => r.at > firstAway && r.headers['x-api-key'] !== undefined)).toEqual([]);
    // Nothing left open: every socket that carried a request closes (bounded wait on 'close').
    await Promise.all([a.allClosed(3_000), b.allClosed(3_000)]);
  },
);
