import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import crossFetch from 'cross-fetch';
import { DEFAULTS, type FetchLike, SmartFlowsClient, type SmartFlowsClientOptions, SmartFlowsResponseError, SmartFlowsTimeoutError } from 'smart-flows-rx';
import { type HostileServer, startHostileServer } from '../reliability/support/hostileServer';
import { activeResources, type ResourceCounts, settledExcess } from '../reliability/support/handles';
import { scanForSecrets, SECRET_API_KEY } from '../reliability/support/secrets';

// Downloads over a real socket: the request timeout bounds the wait for the headers and a
// stall between chunks, not a body that keeps arriving; `maxBytes` bounds what is held.
const DOC = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
const MB = 1024 * 1024;
const TIMEOUT_MS = 1_000;
// The slow link: CHUNKS chunks GAP_MS apart, twice TIMEOUT_MS in all, each gap a tenth of it. (With
// 400 and 50 ms, a loaded machine — two suites side by side on 2 cores — once held a gap past 400 ms.)
const CHUNK = 16 * 1024;
const CHUNKS = 20;
const GAP_MS = 100;
const SIZE = CHUNK * CHUNKS;

let server: HostileServer;
let before: ResourceCounts;
beforeAll(async () => {
  before = activeResources();
  server = await startHostileServer();
});
afterAll(async () => {
  await server.close();
  // No socket or timer outlives the downloads (the refused and cancelled ones included).
  expect(await settledExcess(before)).toEqual({});
});

const FETCHES: [string, FetchLike][] = [
  ['cross-fetch', crossFetch as FetchLike],
  ['global fetch', globalThis.fetch as FetchLike],
];

function client(fetch: FetchLike, options: Partial<SmartFlowsClientOptions> = {}) {
  return new SmartFlowsClient({
    baseUrl: server.url,
    apiKey: SECRET_API_KEY,
    retry: { maxRetries: 2, delayMs: 1, maxDelayMs: 5, jitter: false },
    requestTimeoutMs: TIMEOUT_MS,
    fetch,
    ...options,
  });
}

const HEADERS = { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Big.pdf"' };

/** Byte `i` of the document, so a test can tell a whole, ordered body from a cut one. */
const byteAt = (i: number) => (i * 7 + (i >> 8)) & 0xff;
const documentBytes = (from: number, length: number) => Uint8Array.from({ length }, (_, k) => byteAt(from + k));
/** Whether `data` is the whole document, byte for byte (a deep `toEqual` of 200 KB takes seconds). */
const isWholeDocument = (data: Uint8Array | undefined) => !!data && data.byteLength === SIZE && Buffer.from(documentBytes(0, SIZE)).equals(data);

/** Sends the document in CHUNKS chunks, GAP_MS apart (a slow, steady link), counting the bytes sent over every request. */
function serveSlowly(opts: { stallAfter?: number } = {}) {
  server.use(async (_req, res) => {
    res.writeHead(200, { ...HEADERS, 'content-length': String(SIZE) });
    server.written.track?.(res);
    for (let i = 0; i < CHUNKS && !res.destroyed; i++) {
      if (i === opts.stallAfter) return; // keeps the connection open, sends nothing more
      if (i > 0) await pace(res);
      if (res.destroyed) break;
      res.write(documentBytes(i * CHUNK, CHUNK));
      server.written.bytes += CHUNK;
    }
    if (!res.destroyed) res.end();
  });
}

/** The link's pace: the next chunk after GAP_MS, or at once when the client left. */
const pace = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const onClose = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (res.off('close', onClose), resolve()), GAP_MS);
    res.once('close', onClose);
  });

/**
 * A body of `total` bytes per request, in 64 KiB chunks as fast as the client reads (honouring
 * backpressure), with or without Content-Length; `server.written.bytes` adds up, as it goes,
 * what every request sent.
 */
function serveLarge(total: number, declared: boolean) {
  server.use(async (_req, res) => {
    res.writeHead(200, { ...HEADERS, ...(declared ? { 'content-length': String(total) } : {}) });
    server.written.track?.(res);
    const chunk = Buffer.alloc(64 * 1024, 0x25);
    for (let sent = 0; sent < total && !res.destroyed; ) {
      const n = Math.min(chunk.length, total - sent);
      const ok = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
      sent += n;
      server.written.bytes += n;
      if (!ok) await new Promise<void>((resolve) => {
        const done = () => (res.off('drain', done), res.off('close', done), resolve());
        res.once('drain', done);
        res.once('close', done);
      });
    }
    if (!res.destroyed) res.end();
  });
}

async function outcome<T>(download: Promise<T>) {
  try {
    return { value: await download };
  } catch (error) {
    expect(scanForSecrets(error)).toEqual([]);
    return { error: error as Error };
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

describe.each(FETCHES)('downloadDocument over the wire (%s)', (_, fetch) => {
  it('downloads a body that arrives steadily for longer than requestTimeoutMs once, whole', async () => {
    serveSlowly();
    const { value, error } = await outcome(firstValueFrom(client(fetch).downloadDocument(DOC)));
    // Before the fix: every try was cut at requestTimeoutMs and sent again (3 requests, ~3× a part of the body), then a timeout.
    expect({ requests: server.seen.length, bytesSent: server.written.bytes, error: error?.name }).toEqual({ requests: 1, bytesSent: SIZE, error: undefined });
    expect(isWholeDocument(value?.data)).toBe(true);
  });

  it('ends a body that stalls between chunks for requestTimeoutMs with SmartFlowsTimeoutError', async () => {
    serveSlowly({ stallAfter: 3 });
    const { error } = await outcome(firstValueFrom(client(fetch, { retry: { maxRetries: 0 } }).downloadDocument(DOC)));
    expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(error).toMatchObject({ timeoutMs: TIMEOUT_MS });
    expect(error?.message).toMatch(`no data for ${TIMEOUT_MS} ms`);
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a chunked body past maxBytes at the limit, naming the limit and the document, and lets the socket go', async () => {
    serveLarge(8 * MB, false);
    const { value, error } = await outcome(firstValueFrom(client(fetch, { requestTimeoutMs: 10_000 }).downloadDocument(DOC, { maxBytes: 1 * MB })));
    // Before the fix: the whole 8 MB were read and held (data.byteLength 8388608), no limit.
    expect({ error: error?.name, held: value?.data.byteLength }).toEqual({ error: 'SmartFlowsResponseError', held: undefined });
    expect(error?.message).toContain(`maxBytes ${MB}`);
    expect(error?.message).toContain(DOC);
    expect(server.seen).toHaveLength(1); // not retried
    // The connection was closed, and reading stopped near the limit (the socket's buffers hold a few MB at most).
    expect(await server.cut()).toBe(true);
    expect(server.written.bytes).toBeLessThan(6 * MB);
  });

  it('holds at most the limit and one chunk when it refuses a chunked body (bytes the client read, counted under fetch)', async () => {
    serveLarge(8 * MB, false);
    let read = 0;
    // Counts what the client takes from the body: what it could hold in memory.
    const counting: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      const body = res.body as unknown as ReadableStream<Uint8Array> | NodeJS.ReadableStream | null;
      if (body && 'getReader' in body) {
        const counted = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (c, out) => ((read += c.byteLength), out.enqueue(c)) }));
        return new Response(counted, { status: res.status, headers: res.headers });
      }
      // A Node stream (node-fetch) is read through its async iterator: count there (a 'data'
      // listener would switch it to flowing mode and read ahead of the client).
      const stream = body as (AsyncIterable<Uint8Array> & Record<symbol, unknown>) | null;
      if (stream) {
        const iterate = stream[Symbol.asyncIterator].bind(stream);
        stream[Symbol.asyncIterator] = () => {
          const chunks = iterate();
          return {
            next: async () => {
              const r = await chunks.next();
              if (!r.done) read += r.value.byteLength;
              return r;
            },
            return: async () => (await chunks.return?.()) ?? { done: true, value: undefined },
            [Symbol.asyncIterator]() {
              return this;
            },
          };
        };
      }
      return res;
    };
    const { value, error } = await outcome(firstValueFrom(client(counting, { requestTimeoutMs: 10_000 }).downloadDocument(DOC, { maxBytes: MB })));
    // Before the fix (global fetch): 8388608 bytes read and held; now about 1.06–1.11 MB read, none held.
    expect({ error: error?.name, held: value?.data.byteLength }).toEqual({ error: 'SmartFlowsResponseError', held: undefined });
    expect(read).toBeGreaterThan(MB);
    expect(read).toBeLessThan(MB + 512 * 1024);
    expect(await server.cut()).toBe(true);
  });

  it('refuses a declared Content-Length past the client default maxDownloadBytes before reading the body', async () => {
    serveLarge(DEFAULTS.maxDownloadBytes + 1, true);
    const { error } = await outcome(firstValueFrom(client(fetch).downloadDocument(DOC)));
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error?.message).toContain(`maxBytes ${DEFAULTS.maxDownloadBytes}`);
    expect(await server.cut()).toBe(true);
    expect(server.written.bytes).toBeLessThan(8 * MB);
  });

  it('takes the limit from the client option maxDownloadBytes', async () => {
    serveLarge(16 * MB, true);
    const { error } = await outcome(firstValueFrom(client(fetch, { maxDownloadBytes: MB }).downloadDocument(DOC)));
    expect(error?.message).toContain(`maxBytes ${MB}`);
    expect(await server.cut()).toBe(true);
  });

  it("gives a Blob with { as: 'blob' }, typed with the content type", async () => {
    serveLarge(3 * 64 * 1024 + 5, false);
    const doc = await firstValueFrom(client(fetch).downloadDocument(DOC, { as: 'blob' }));
    expect(doc.data).toBeInstanceOf(Blob);
    expect(doc.data.type).toBe('application/pdf');
    expect(doc.data.size).toBe(3 * 64 * 1024 + 5);
    expect(doc.fileName).toBe('Big.pdf');
  });

  it("gives a ReadableStream with { as: 'stream' } once the headers are in; a slow, steady body reads whole", async () => {
    serveSlowly();
    const doc = await firstValueFrom(client(fetch).downloadDocument(DOC, { as: 'stream' }));
    expect(doc.data).toBeInstanceOf(ReadableStream);
    expect(isWholeDocument(await readAll(doc.data))).toBe(true);
    expect(server.seen).toHaveLength(1);
  });

  it("errors the stream at maxBytes with { as: 'stream' } and lets the socket go", async () => {
    serveLarge(8 * MB, false);
    const doc = await firstValueFrom(client(fetch).downloadDocument(DOC, { as: 'stream', maxBytes: MB }));
    const error = await readAll(doc.data).then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error?.message).toContain(`maxBytes ${MB}`);
    expect(await server.cut()).toBe(true);
  });

  it('cancelling the stream lets the socket go', async () => {
    serveLarge(8 * MB, false);
    const doc = await firstValueFrom(client(fetch).downloadDocument(DOC, { as: 'stream' }));
    const reader = doc.data.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    expect(await server.cut()).toBe(true);
    expect(server.written.bytes).toBeLessThan(6 * MB);
  });

  it('refuses a bad maxBytes or as before any request', async () => {
    server.use((_q, r) => r.writeHead(500).end());
    const c = client(fetch);
    await expect(firstValueFrom(c.downloadDocument(DOC, { maxBytes: -1 }))).rejects.toMatchObject({ name: 'SmartFlowsInputError' });
    await expect(firstValueFrom(c.downloadDocument(DOC, { as: 'text' as 'blob' }))).rejects.toMatchObject({ name: 'SmartFlowsInputError' });
    expect(server.seen).toHaveLength(0);
  });
});
