import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { PassThrough, pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { constants as Z, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { FetchLike } from '../options';

// The command line's fetch (issue 31 item 3): Node's own fetch (undici) costs about 125 ms of
// CPU the first time it is called in a process (it loads and compiles undici), twice what the
// whole of `node -e 0` costs; a `run` of a short flow is over before that pays off. This is the
// subset of fetch the library's HTTP layer uses (lib/http: transport.ts, redirects.ts,
// readLimited.ts, bodyStream.ts), over node:http and node:https, behaving as undici does where
// the library can tell: the same status, headers and bytes, content codings decoded as undici
// picks them (but strictly: a coded stream cut before its end marker fails its read), an abort
// that rejects with the signal's reason before the answer and errors the body after it,
// connection failures as `TypeError('fetch failed')` with the system error as `cause`
// (lib/http/classify.ts reads its code), a URL with credentials refused.
// spec/cli/httpFetch.spec.ts compares it with the runtime's fetch on generated answers.
//
// Only the command line uses it (lib/cli/connect.ts), and only on Node (see sendsOverNodeHttp):
// the library's default fetch stays the runtime's (or cross-fetch), and Bun and Deno keep theirs.

/** The statuses whose answer has no body (fetch gives `body: null`). */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
/** undici refuses more codings than this on one answer. */
const MAX_CODINGS = 5;
/**
 * Strict decoding, where undici (and cURL) are lenient (`finishFlush: Z_SYNC_FLUSH`): a coded body
 * whose stream ends before its end marker (a gzip cut in half, or without its CRC trailer; a br
 * stream without its last block) fails its read, as a body cut short of its Content-Length does.
 * Otherwise a cut document would be saved as complete (attack round 5, F7). `flush` gives the
 * decoded bytes as they arrive, as undici does.
 */
const ZLIB_OPTIONS = { flush: Z.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = { flush: Z.BROTLI_OPERATION_FLUSH };

/** Answers' headers, read-only: what the library reads of fetch's `Headers` (no undici to load). */
export class NodeHeaders {
  readonly #values: Map<string, string>;

  constructor(raw: IncomingHttpHeaders) {
    this.#values = new Map();
    for (const name of Object.keys(raw).sort()) {
      const value = raw[name];
      // Node joins repeated headers with ', ' as fetch does, except set-cookie (an array).
      if (value !== undefined) this.#values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  forEach(fn: (value: string, name: string, headers: this) => void): void {
    for (const [name, value] of this.#values) fn(value, name, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.#values.entries();
  }

  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  values(): IterableIterator<string> {
    return this.#values.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

/**
 * A decoder made at the first byte of the body: undici's `deflate` is zlib-wrapped or raw, told
 * by that byte (servers send both), and a coded body of no bytes at all is an empty body (as
 * undici gives it), not a stream cut before it began.
 * Hand-written Transform: zlib has no stream that does either.
 */
class LazyDecoder extends Transform {
  readonly #make: (first: number) => Transform;
  #decoder: Transform | undefined;

  constructor(make: (first: number) => Transform) {
    super();
    this.#make = make;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#decoder) {
      if (chunk.length === 0) return callback();
      const decoder = this.#make(chunk[0] ?? 0);
      decoder.on('data', (data: Buffer) => this.push(data));
      decoder.on('end', () => this.push(null));
      decoder.on('error', (error) => this.destroy(error));
      this.#decoder = decoder;
    }
    this.#decoder.write(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    // The decoder's 'end' ends this stream: flush waits for it, so no data is lost behind it; a
    // stream cut before its end marker errors instead, and the error destroys this stream.
    if (!this.#decoder) return callback();
    this.#decoder.once('end', () => callback());
    this.#decoder.end();
  }
}

/** The decoders for an answer's Content-Encoding, outermost last, as undici picks them; none when a coding is unknown. */
function decodersFor(contentEncoding: string | undefined): Transform[] | Error {
  const codings = contentEncoding ? contentEncoding.toLowerCase().split(',') : [];
  if (codings.length > MAX_CODINGS) return new Error(`too many content-encodings in response: ${codings.length}, maximum allowed is ${MAX_CODINGS}`);
  const decoders: Transform[] = [];
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!.trim();
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(new LazyDecoder(() => createGunzip(ZLIB_OPTIONS)));
    else if (coding === 'deflate') decoders.push(new LazyDecoder((first) => ((first & 15) === 8 ? createInflate(ZLIB_OPTIONS) : createInflateRaw(ZLIB_OPTIONS))));
    else if (coding === 'br') decoders.push(new LazyDecoder(() => createBrotliDecompress(BROTLI_OPTIONS)));
    else return [];
  }
  return decoders;
}

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/** Reads a Node stream whole. */
async function collect(body: Readable | null): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The answer as fetch's `Response` gives it, as far as the library reads one. */
export class NodeResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: NodeHeaders;
  readonly url: string;
  readonly redirected = false;
  readonly type = 'basic';
  /** The (decoded) body as a Node stream, which lib/http/readLimited.ts's `openBody` reads; null for a status without a body. */
  body: Readable | null;
  #used = false;

  constructor(init: { status: number; statusText: string; headers: NodeHeaders; url: string; body: Readable | null }) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.ok = init.status >= 200 && init.status <= 299;
    this.headers = init.headers;
    this.url = init.url;
    this.body = init.body;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  #take(): Promise<Buffer> {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    return collect(this.body);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#take().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }

  text(): Promise<string> {
    return this.#take().then((b) => b.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.text().then((text) => JSON.parse(text) as unknown);
  }

  /** A copy whose body is read apart (the body is teed, as fetch's `clone` does). */
  clone(): NodeResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    const source = this.body;
    let copy: Readable | null = null;
    if (source) {
      // Either side read alone must not stall the other: no limit on what waits (as fetch's tee).
      const mine = new PassThrough({ highWaterMark: Number.MAX_SAFE_INTEGER });
      const theirs = new PassThrough({ highWaterMark: Number.MAX_SAFE_INTEGER });
      source.on('error', (error) => {
        mine.destroy(error);
        theirs.destroy(error);
      });
      // Destroying both sides (cancel, abort) destroys the source, and with it the connection.
      let open = 2;
      const closed = () => void (--open === 0 && source.destroy());
      mine.on('close', closed);
      theirs.on('close', closed);
      source.pipe(mine);
      source.pipe(theirs);
      this.body = mine;
      copy = theirs;
    }
    return new NodeResponse({ status: this.status, statusText: this.statusText, headers: this.headers, url: this.url, body: copy });
  }
}

/** A request body fetch would send as these bytes; anything else (a stream, a FormData) is refused. */
function bodyBytes(body: RequestInit['body']): { bytes?: Buffer; type?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), type: 'text/plain;charset=UTF-8' };
  if (body instanceof ArrayBuffer) return { bytes: Buffer.from(body) };
  if (ArrayBuffer.isView(body)) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  throw new TypeError('this fetch sends string and byte bodies only');
}

/** The request's headers as node:http takes them (a record, pairs, or anything with `forEach`, such as `Headers`). */
function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (value: string, name: string) => void (out[name.toLowerCase()] = out[name.toLowerCase()] === undefined ? String(value) : `${out[name.toLowerCase()]}, ${value}`);
  if (!headers) return out;
  if (Array.isArray(headers)) for (const [name, value] of headers as [string, string][]) add(value, name);
  else if (typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach(add);
  else for (const [name, value] of Object.entries(headers as Record<string, string>)) add(value, name);
  return out;
}

/** The fetch over node:http(s), with its connections. */
export interface NodeHttpFetch {
  fetch: FetchLike;
  /** Closes every connection it keeps (idle ones never hold the process open anyway). */
  destroy(): void;
}

/**
 * A fetch over node:http and node:https for the command line: `redirect: 'manual'` only (the
 * library follows redirects itself, lib/http/redirects.ts), string and byte bodies, keep-alive
 * connections whose idle sockets do not keep the process alive (Node's agent unrefs them).
 */
export function nodeHttpFetch(): NodeHttpFetch {
  const agents: { http?: Agent; https?: Agent } = {};
  const agentFor = async (protocol: string): Promise<{ agent: Agent; send: typeof httpRequest }> => {
    if (protocol === 'http:') return { agent: (agents.http ??= new Agent({ keepAlive: true })), send: httpRequest };
    // node:https (and TLS) only load for an https server.
    const https = await import('node:https');
    return { agent: (agents.https ??= new https.Agent({ keepAlive: true })), send: https.request as typeof httpRequest };
  };

  const fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('fetch failed', { cause: new Error('unknown scheme') });
    // As fetch (undici) refuses it: a URL with user info is never requested (node:http would send
    // it as `Authorization: Basic`). The message leaves the URL out: it holds the credentials.
    if (url.username || url.password) throw new TypeError('Request cannot be constructed from a URL that includes credentials');
    if (init.redirect !== 'manual') throw new TypeError("this fetch sends with redirect: 'manual' only (lib/http/redirects.ts follows them)");
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = headerRecord(init.headers);
    const { bytes, type } = bodyBytes(init.body);
    headers['accept'] ??= '*/*';
    // What undici asks for (br only over https).
    headers['accept-encoding'] ??= url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate';
    headers['user-agent'] ??= 'node';
    if (type) headers['content-type'] ??= type;
    if (bytes) headers['content-length'] = String(bytes.byteLength);
    else if (method === 'POST' || method === 'PUT') headers['content-length'] = '0';
    const { signal } = init;
    if (signal?.aborted) throw abortReason(signal);
    const { agent, send } = await agentFor(url.protocol);
    if (signal?.aborted) throw abortReason(signal);

    // Hand-written promise: node:http reports by events, and the answer's body outlives it.
    return new Promise<Response>((resolve, reject) => {
      const options: RequestOptions = { method, headers, agent };
      const req = send(url, options);
      let body: Readable | null = null;
      let done = false;
      const onAbort = () => {
        const reason = abortReason(signal!);
        req.destroy(reason as Error);
        body?.destroy(reason as Error);
        if (!done) {
          done = true;
          reject(reason);
        }
      };
      const release = () => signal?.removeEventListener('abort', onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        if (done) return;
        done = true;
        release();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res: IncomingMessage) => {
        // Nobody may be reading when the connection drops: the error reaches the reader, never the process.
        res.on('error', () => undefined);
        const status = res.statusCode ?? 0;
        const hasBody = method !== 'HEAD' && !NULL_BODY_STATUS.has(status);
        const decoders = hasBody ? decodersFor(res.headers['content-encoding']) : [];
        if (decoders instanceof Error) {
          done = true;
          release();
          res.destroy();
          return reject(new TypeError('fetch failed', { cause: decoders }));
        }
        if (!hasBody) {
          res.resume();
        } else if (decoders.length === 0) {
          body = res;
        } else {
          body = pipeline([res, ...decoders], () => undefined) as unknown as Readable;
          body.on('error', () => undefined);
        }
        // The abort has nothing left to stop once the body has ended or is gone.
        if (body) body.once('end', release).once('close', release);
        else res.once('end', release);
        done = true;
        resolve(new NodeResponse({ status, statusText: res.statusMessage ?? '', headers: new NodeHeaders(res.headers), url: url.href, body }) as unknown as Response);
      });
      req.end(bytes);
    });
  };

  return {
    fetch,
    destroy() {
      agents.http?.destroy();
      agents.https?.destroy();
    },
  };
}

/** What {@link sendsOverNodeHttp} looks at: the process (a fake one in tests). */
export interface RuntimeFacts {
  versions: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
  execArgv: readonly string[];
  hasDeno: boolean;
}

/**
 * Whether the command sends over {@link nodeHttpFetch}: on Node, unless Node is asked to send
 * through the proxy of `HTTP(S)_PROXY` (`NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, Node 24),
 * which its own fetch honours and an agent of our own would not. Bun and Deno (which run the
 * command too) keep their native fetch, which costs no start.
 */
export function sendsOverNodeHttp(facts: RuntimeFacts): boolean {
  if (facts.versions.bun !== undefined || facts.versions.deno !== undefined || facts.hasDeno) return false;
  const envProxy = facts.env.NODE_USE_ENV_PROXY === '1' || [...facts.execArgv, ...(facts.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--use-env-proxy');
  return !envProxy;
}

/** The fetch the command line sends through: {@link nodeHttpFetch} where {@link sendsOverNodeHttp} says so, else the runtime's. */
export function cliFetch(): FetchLike {
  const facts: RuntimeFacts = { versions: process.versions, env: process.env, execArgv: process.execArgv, hasDeno: 'Deno' in globalThis };
  return sendsOverNodeHttp(facts) ? nodeHttpFetch().fetch : (input, init) => globalThis.fetch(input, init);
}
