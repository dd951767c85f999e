// A small hostile HTTP server on 127.0.0.1 for what only a socket shows (bodies that never end,
// compressed bombs, redirects elsewhere), and a fetch wrapper that counts the decoded bytes the
// library reads. Used by spec/http/decodedLimit, redirectsWire and hostileServer specs.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import crossFetch from 'cross-fetch';
import type { FetchLike } from '../../lib/options';
import { nodeHttpFetch } from '../../lib/cli/httpFetch';

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Order of arrival over every server of this module. */
  at: number;
}

let arrivals = 0;

/** A node:http server on 127.0.0.1 that counts its open sockets. */
export interface HostileServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. */
  seen: SeenRequest[];
  /** Sockets that carried a request and are not closed yet. */
  open(): number;
  /** Resolves once every socket that carried a request has closed; rejects after `timeoutMs`. */
  allClosed(timeoutMs?: number): Promise<void>;
  /** Replaces the handler. */
  handle(fn: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** Starts a server with `fn` as its handler (replaceable through `handle`). */
export async function startHostileServer(fn: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => void s.end()): Promise<HostileServer> {
  let handler = fn;
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: ++arrivals });
    sockets.add(req.socket);
    // A response that errors (the client went away mid-write) must not crash the test process.
    res.on('error', () => undefined);
    // No keep-alive: a socket still open after an answer is one the client did not let go.
    res.setHeader('Connection', 'close');
    handler(req, res);
  });
  // Only sockets that carried a request count: undici may open a spare connection it never
  // uses, which it closes by itself after its keep-alive timeout (4 s) and which holds nothing.
  server.on('connection', (socket) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    open: () => sockets.size,
    allClosed: (timeoutMs = 5_000) =>
      sockets.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const done = () => {
              clearTimeout(timer);
              waiters.delete(done);
              resolve();
            };
            // A bounded wait on the 'close' events, not a sleep: it fails the test if a socket stays.
            const timer = setTimeout(() => {
              waiters.delete(done);
              reject(new Error(`${sockets.size} socket(s) still open after ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(done);
          }),
    handle: (next) => void (handler = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The encodings a server may claim. */
export type Encoding = 'gzip' | 'deflate' | 'br';

const bombs = new Map<string, Buffer>();

/** `inflated` bytes of spaces compressed with `encoding` (cached: building one takes ~0.3 s). */
export function bomb(encoding: Encoding, inflated: number): Buffer {
  const key = `${encoding}:${inflated}`;
  let out = bombs.get(key);
  if (!out) {
    const plain = Buffer.alloc(inflated, 0x20);
    out =
      encoding === 'gzip' ? gzipSync(plain, { level: 1 })
      : encoding === 'deflate' ? deflateSync(plain, { level: 1 })
      : brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    bombs.set(key, out);
  }
  return out;
}

/**
 * The two fetches the Node build may use by default: node-fetch (cross-fetch, Node < 24) and the
 * runtime's undici; and the command line's own, over node:http (lib/cli/httpFetch.ts, issue 31
 * item 3), which must hold against the same hostile answers.
 */
export const FETCHES: [string, FetchLike][] = [
  ['node-fetch', crossFetch as FetchLike],
  ['undici', (input, init) => globalThis.fetch(input, init)],
  ['cli node:http', nodeHttpFetch().fetch],
];

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A fetch that passes answers on as they are, but counts the (decoded) body bytes read from them. */
export interface CountingFetch {
  fetch: FetchLike;
  /** Body bytes read so far, over all answers. */
  decoded(): number;
  /** The largest single chunk read. */
  largestChunk(): number;
  /** Each answer with a body, in order: its status and the body bytes read from it. */
  answers: { status: number; decoded: number }[];
}

/**
 * Wraps `fetchFn`: each answer's body is handed on through a pull stream (nothing read ahead)
 * that counts what the library reads; cancelling it cancels the real body.
 */
export function countingFetch(fetchFn: FetchLike): CountingFetch {
  let decoded = 0;
  let largest = 0;
  const answers: CountingFetch['answers'] = [];
  const fetch: FetchLike = async (input, init) => {
    const res = await fetchFn(input, init);
    const src = res.body as unknown;
    if (!src || NULL_BODY.has(res.status)) return res;
    const answer = { status: res.status, decoded: 0 };
    answers.push(answer);
    let next: () => Promise<Uint8Array | undefined>;
    let cancel: () => Promise<unknown>;
    if (typeof (src as ReadableStream).getReader === 'function') {
      const reader = (src as ReadableStream<Uint8Array>).getReader();
      next = async () => (await reader.read()).value;
      cancel = () => reader.cancel();
    } else {
      const node = src as NodeJS.ReadableStream & { destroy(): void };
      node.on('error', () => undefined);
      const it = node[Symbol.asyncIterator]();
      next = async () => {
        const r = await it.next();
        return r.done ? undefined : typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Uint8Array);
      };
      cancel = async () => node.destroy();
    }
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const chunk = await next();
            if (!chunk) return controller.close();
            decoded += chunk.byteLength;
            answer.decoded += chunk.byteLength;
            largest = Math.max(largest, chunk.byteLength);
            controller.enqueue(chunk);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel: () => void cancel().catch(() => undefined),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { fetch, decoded: () => decoded, largestChunk: () => largest, answers };
}
