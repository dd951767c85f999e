// The command line's fetch over node:http (lib/cli/httpFetch.ts, issue 31 item 3) against the
// runtime's fetch (undici), by differential model testing: fast-check generates what a small
// node:http server on 127.0.0.1 answers (statuses with 3xx, 204, 429, 503; Content-Encoding
// gzip, deflate zlib-wrapped and raw, br, two codings, an unknown one, a corrupt or truncated
// gzip body, a truncated br body; Content-Length or chunked bodies cut at random points; a connection reset half
// way), and each answer is read through the library's own transport (lib/http/transport.ts,
// with its redirects, limits and readers) once over each fetch: the same status, bytes and error
// class must come out, the key must stay at home across a redirect, and no socket may stay open.
// Then the targeted cases: an abort before the answer and in the middle of a body lets the
// socket go; a request body arrives the same; a process that used it exits on its own (no timer,
// no socket left), even with a corrupt gzip body it read late.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { buildSync } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { firstValueFrom } from 'rxjs';
import { nodeHttpFetch, type RuntimeFacts, sendsOverNodeHttp } from '../../lib/cli/httpFetch';
import { SmartFlowsHttpError } from '../../lib/errors';
import { errorCode } from '../../lib/http/classify';
import { openBody } from '../../lib/http/readLimited';
import { createTransport, type HttpRequest } from '../../lib/http/transport';
import { normalizeOptions, type FetchLike } from '../../lib/options';
import { type HostileServer, startHostileServer } from '../helpers/hostileHttp';

const KEY = 'sk-differential-0123456789';
/** Each request's limit: far above what an answer of these takes on loopback; what undici needs to give up on a corrupt chunked gzip. */
const TIMEOUT_MS = 2_000;
const cli = nodeHttpFetch();
const FETCHES: [string, FetchLike][] = [
  ['node:http', cli.fetch],
  ['runtime fetch', (input, init) => globalThis.fetch(input, init)],
];

type Coding = 'identity' | 'gzip' | 'deflate' | 'deflate-raw' | 'br' | 'gzip, br' | 'x-unknown' | 'corrupt-gzip' | 'truncated-gzip' | 'truncated-br';
interface Answer {
  status: 200 | 201 | 204 | 302 | 307 | 404 | 429 | 503;
  /** For a 3xx: where it sends the request (the other origin must not get the key). */
  redirectTo: 'same' | 'other';
  coding: Coding;
  body: Uint8Array;
  framing: 'length' | 'chunked';
  /** Where the body is cut into writes (taken modulo its length). */
  splits: number[];
  /** 'reset': the connection is destroyed after half the writes. */
  end: 'whole' | 'reset';
  retryAfter: string | null;
  responseType: 'json' | 'bytes' | 'stream';
}

const jsonBytes = fc.jsonValue({ maxDepth: 3 }).map((v) => new Uint8Array(Buffer.from(JSON.stringify(v) ?? 'null')));
const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 302, 307, 404, 429, 503),
  redirectTo: fc.constantFrom('same', 'other'),
  coding: fc.constantFrom('identity', 'identity', 'gzip', 'gzip', 'deflate', 'deflate-raw', 'br', 'gzip, br', 'x-unknown', 'corrupt-gzip', 'truncated-gzip', 'truncated-br'),
  body: fc.oneof(jsonBytes, fc.uint8Array({ maxLength: 4_000 })),
  framing: fc.constantFrom('length', 'chunked'),
  splits: fc.array(fc.nat(), { maxLength: 5 }),
  end: fc.constantFrom('whole', 'whole', 'whole', 'reset'),
  retryAfter: fc.constantFrom(null, '0', '1', 'soon'),
  responseType: fc.constantFrom('json', 'bytes', 'stream'),
}) as fc.Arbitrary<Answer>;

/** The bytes on the wire and the Content-Encoding header claimed. */
function wire(coding: Coding, body: Uint8Array): { bytes: Buffer; header?: string } {
  const plain = Buffer.from(body);
  switch (coding) {
    case 'identity': return { bytes: plain };
    case 'gzip': return { bytes: gzipSync(plain), header: 'gzip' };
    case 'deflate': return { bytes: deflateSync(plain), header: 'deflate' };
    case 'deflate-raw': return { bytes: deflateRawSync(plain), header: 'deflate' };
    case 'br': return { bytes: brotliCompressSync(plain), header: 'br' };
    case 'gzip, br': return { bytes: brotliCompressSync(gzipSync(plain)), header: 'gzip, br' };
    case 'x-unknown': return { bytes: plain, header: 'x-unknown' };
    case 'corrupt-gzip': {
      const bytes = gzipSync(plain);
      // Past the 10-byte header: the deflate data, or the CRC of an empty body.
      for (let i = 10; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
      return { bytes, header: 'gzip' };
    }
    case 'truncated-gzip': {
      const bytes = gzipSync(plain);
      return { bytes: bytes.subarray(0, Math.max(10, bytes.length - 9)), header: 'gzip' };
    }
    case 'truncated-br': {
      // Brotli of the body then four more bytes, so that the last block is cut even for an empty body.
      const bytes = brotliCompressSync(Buffer.concat([plain, Buffer.from('tail')]));
      return { bytes: bytes.subarray(0, Math.max(1, bytes.length - 2)), header: 'br' };
    }
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Serves `a` (its body written in pieces), or the redirect target's small JSON answer. */
async function serve(a: Answer, other: string, same: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url?.endsWith('/final')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"final":true}');
  const { bytes, header } = wire(a.coding, a.body);
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  if (header) headers['Content-Encoding'] = header;
  if (a.retryAfter !== null) headers['Retry-After'] = a.retryAfter;
  if (a.status === 302 || a.status === 307) headers.Location = `${a.redirectTo === 'other' ? other : same}/api/v1/final`;
  if (a.status === 204) return void res.writeHead(204, headers).end();
  if (a.framing === 'length') headers['Content-Length'] = String(bytes.length);
  res.writeHead(a.status, headers);
  const cuts = [...new Set(a.splits.map((s) => (bytes.length ? s % bytes.length : 0)))].sort((x, y) => x - y);
  const pieces = [0, ...cuts, bytes.length].flatMap((at, i, all) => (i && all[i - 1]! < at ? [bytes.subarray(all[i - 1], at)] : []));
  const upTo = a.end === 'reset' ? Math.floor(pieces.length / 2) : pieces.length;
  for (const piece of pieces.slice(0, upTo)) {
    if (res.destroyed) return;
    // Written through to the socket before the next piece (and before a reset): what reaches the client is certain.
    await new Promise<void>((done) => res.write(piece, () => done()));
    await turn();
  }
  if (a.end === 'reset') req.socket.destroy();
  else res.end();
}

/** What the library makes of the answer: status and bytes, or the error's class (and a refused answer's status and body). */
async function observe(fetchFn: FetchLike, origin: string, a: Answer): Promise<unknown> {
  const transport = createTransport(normalizeOptions({ baseUrl: origin, apiKey: KEY, fetch: fetchFn, requestTimeoutMs: TIMEOUT_MS, retry: { maxRetries: 0 } }));
  const request: HttpRequest = { method: 'GET', path: '/answer', responseType: a.responseType };
  try {
    const response = await firstValueFrom(transport(request));
    let body = response.body;
    if (body instanceof ReadableStream) {
      const chunks: Uint8Array[] = [];
      const reader = (body as ReadableStream<Uint8Array>).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      body = Buffer.concat(chunks);
    }
    return { status: response.status, body: body instanceof Uint8Array ? Buffer.from(body).toString('hex') : body };
  } catch (error) {
    const http = error instanceof SmartFlowsHttpError ? { status: error.status, body: error.body, retryAfterMs: error.retryAfterMs } : {};
    return { error: (error as Error).constructor.name, ...http };
  }
}

let a: HostileServer;
let b: HostileServer;

beforeAll(async () => {
  [a, b] = await Promise.all([startHostileServer(), startHostileServer()]);
});

afterAll(async () => {
  cli.destroy();
  await Promise.all([a.close(), b.close()]);
});

describe('the command line fetch over node:http, beside the runtime fetch', () => {
  test.prop([answer], { numRuns: 60 })('gives the library the same status, bytes and error class, keeps the key at home and leaves no socket open', async (generated) => {
    const handler = (req: IncomingMessage, res: ServerResponse) => void serve(generated, b.origin, a.origin, req, res);
    a.handle(handler);
    b.handle(handler);
    const [mine, theirs] = [await observe(FETCHES[0]![1], a.origin, generated), await observe(FETCHES[1]![1], a.origin, generated)];
    const redirected = generated.status === 302 || generated.status === 307;
    if (generated.end === 'reset' && generated.framing === 'chunked' && generated.status !== 204 && !redirected) {
      // The one difference, on purpose: a chunked body cut by the server closing the connection
      // fails its read here (Node's http), where undici takes the close of an answer that said
      // `Connection: close` for its end and gives the bytes so far as the whole body. A refused
      // answer whose body cannot be read is told without it.
      const refused = theirs as { error: string; body?: string };
      if (refused.error === 'SmartFlowsHttpError') expect(mine).toEqual({ ...refused, body: '' });
      // undici may fail the whole fetch when a refused answer's coded body is corrupt and the
      // connection is reset right behind it (seed -420040502: a 503, corrupt gzip, chunked, reset),
      // where Node's http has handed over the status first: the refused answer is then told
      // without its body. Either is safe (a 503 to a start is looked up, a network error is
      // `executionMayExist`); nothing else is allowed.
      else if (generated.status >= 400 && (mine as { error?: string }).error === 'SmartFlowsHttpError') expect(mine).toMatchObject({ status: generated.status, body: '' });
      else expect(mine).toEqual({ error: 'SmartFlowsNetworkError' });
    } else if (generated.coding === 'corrupt-gzip' && (theirs as { error?: string }).error === 'SmartFlowsTimeoutError') {
      // undici (Node 20) may never end a body whose gzip is corrupt: only the request timeout
      // stops it. Here the read fails at once (a refused answer is then told without its body).
      expect(mine).toMatchObject(generated.status >= 400 ? { error: 'SmartFlowsHttpError', status: generated.status, body: '' } : { error: 'SmartFlowsNetworkError' });
    } else if ((generated.coding === 'truncated-gzip' || generated.coding === 'truncated-br') && generated.status !== 204 && !redirected && (theirs as { error?: string }).error !== 'SmartFlowsNetworkError') {
      // A deliberate difference, stricter than undici: a gzip stream that ends before its end
      // marker (the HTTP framing complete) fails its read here, where undici decodes leniently
      // (Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH) and gives the bytes so far as the whole body. A refused answer is then
      // told without its body.
      expect(mine).toMatchObject(generated.status >= 400 ? { error: 'SmartFlowsHttpError', status: generated.status, body: '' } : { error: 'SmartFlowsNetworkError' });
    } else {
      expect(mine).toEqual(theirs);
    }
    // The key stays at home: the other origin never sees it.
    expect(b.seen.filter((r) => r.headers['x-api-key'] !== undefined)).toEqual([]);
    await Promise.all([a.allClosed(3_000), b.allClosed(3_000)]);
  });

  it.each(FETCHES)('sends a request body as it is given (%s)', async (_name, fetchFn) => {
    let got: { method?: string; type?: string; length?: string; body: string } = { body: '' };
    a.handle((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got = { method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body: Buffer.concat(chunks).toString('utf8') };
        res.end('{}');
      });
    });
    const xml = '<Letter><To>Ann ✓</To></Letter>';
    const res = await fetchFn(`${a.origin}/x`, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/xml' }, redirect: 'manual' });
    await res.text();
    expect(got).toEqual({ method: 'POST', type: 'application/xml', length: String(Buffer.byteLength(xml)), body: xml });
  });

  it('sends the headers the runtime fetch sends (but its accept-language, sec-fetch-mode and connection)', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    a.handle((req, res) => {
      const { host: _host, connection: _connection, 'accept-language': _language, 'sec-fetch-mode': _mode, ...rest } = req.headers;
      seen.push(rest);
      res.end('{}');
    });
    for (const [, fetchFn] of FETCHES) {
      await (await fetchFn(`${a.origin}/h`, { method: 'POST', body: '<a/>', headers: { 'X-API-Key': KEY, 'Content-Type': 'application/xml', Accept: 'application/json' }, redirect: 'manual' })).text();
      await (await fetchFn(`${a.origin}/h`, { method: 'GET', headers: new Headers({ Authorization: 'Bearer t' }), redirect: 'manual' })).text();
    }
    expect(seen.slice(0, 2)).toEqual(seen.slice(2));
    expect(seen[0]).toMatchObject({ 'x-api-key': KEY, 'content-type': 'application/xml', 'content-length': '4', 'accept-encoding': 'gzip, deflate', 'user-agent': 'node' });
  });

  it.each(FETCHES)('never requests a URL with credentials (a redirect’s user:pass@), a TypeError as the runtime fetch gives (%s)', async (_name, fetchFn) => {
    a.handle((_req, res) => void res.end('{}'));
    const before = a.seen.length;
    const withUser = `http://someone:pw@${new URL(a.origin).host}/creds`;
    await expect(fetchFn(withUser, { redirect: 'manual' })).rejects.toMatchObject({ name: 'TypeError' });
    await expect(fetchFn(`http://someone@${new URL(a.origin).host}/creds`, { redirect: 'manual' })).rejects.toMatchObject({ name: 'TypeError' });
    expect(a.seen.slice(before)).toEqual([]);
  });

  it('a truncated gzip or br body (the framing complete) fails its read with the zlib error, stricter than undici', async () => {
    const plain = Buffer.from('{"a":1}'.repeat(80));
    for (const [coding, whole] of [['gzip', gzipSync(plain)], ['br', brotliCompressSync(plain)], ['deflate', deflateSync(plain)], ['deflate', deflateRawSync(plain)]] as const) {
      const bytes = whole.subarray(0, Math.floor(whole.length / 2));
      a.handle((_req, res) => void res.writeHead(200, { 'Content-Encoding': coding, 'Content-Length': String(bytes.length) }).end(bytes));
      const res = await cli.fetch(`${a.origin}/cut`, { redirect: 'manual' });
      await expect(res.arrayBuffer()).rejects.toMatchObject({ code: 'Z_BUF_ERROR', message: 'unexpected end of file' });
    }
    // An empty coded body is an empty body, as undici gives it.
    a.handle((_req, res) => void res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': '0' }).end());
    expect(Buffer.from(await (await cli.fetch(`${a.origin}/empty`, { redirect: 'manual' })).arrayBuffer())).toHaveLength(0);
    await a.allClosed(3_000);
  });

  it.each(FETCHES)('an abort before the answer rejects with the signal’s reason and closes the socket (%s)', async (_name, fetchFn) => {
    let arrived!: () => void;
    const seen = new Promise<void>((resolve) => (arrived = resolve));
    a.handle(() => arrived());
    const controller = new AbortController();
    const sent = fetchFn(`${a.origin}/held`, { signal: controller.signal, redirect: 'manual' });
    await seen;
    controller.abort();
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    await a.allClosed(3_000);
  });

  it.each(FETCHES)('an abort in the middle of a body fails the next read and closes the socket (%s)', async (_name, fetchFn) => {
    a.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(Buffer.alloc(100, 1));
      // …and never more, nor an end.
    });
    const controller = new AbortController();
    const res = (await fetchFn(`${a.origin}/half`, { signal: controller.signal, redirect: 'manual' })) as Response;
    const reader = openBody(res);
    expect((await reader.read())?.byteLength).toBe(100);
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await a.allClosed(3_000);
  });
});

describe('a process that sends over it', () => {
  let dir: string;
  let bundle: string;
  let server: ReturnType<typeof createServer>;
  let origin: string;
  const connections: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-http-fetch-'));
    bundle = join(dir, 'httpFetch.mjs');
    buildSync({ entryPoints: [resolve('lib/cli/httpFetch.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error' });
    // Keep-alive on (the default of node:http): the client's idle socket is what could hold the process.
    server = createServer((req, res) => {
      if (req.url === '/corrupt') {
        const bytes = gzipSync(Buffer.from('{"a":1}'.repeat(50)));
        for (let i = 12; i < bytes.length; i += 5) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
        return void res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(bytes.length) }).end(bytes);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    server.on('connection', (socket: Socket) => connections.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `script` with the bundle's `nodeHttpFetch` in scope; resolves with its exit code and output once it exits by itself. */
  const run = (script: string) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', `import { nodeHttpFetch } from ${JSON.stringify(bundle)};\n${script}`], { env: { ...process.env, ORIGIN: origin } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      child.on('exit', (code) => done({ code, out }));
    });

  it('exits on its own after its requests, over one kept-alive connection (no timer, no socket left)', async () => {
    connections.length = 0;
    const { code, out } = await run(`
      const { fetch } = nodeHttpFetch();
      for (let i = 0; i < 3; i++) console.log(await (await fetch(process.env.ORIGIN + '/ok', { redirect: 'manual' })).text());
    `);
    expect({ code, out }).toEqual({ code: 0, out: '{"ok":true}\n'.repeat(3) });
    expect(connections).toHaveLength(1);
  });

  it('a corrupt gzip body fails its read, read late or never, without an uncaught exception', async () => {
    const { code, out } = await run(`
      const { fetch } = nodeHttpFetch();
      const unread = await fetch(process.env.ORIGIN + '/corrupt', { redirect: 'manual' });
      const late = await fetch(process.env.ORIGIN + '/corrupt', { redirect: 'manual' });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      await late.text().then(() => console.log('read'), (e) => console.log('rejected', e.code));
    `);
    expect({ code, out }).toEqual({ code: 0, out: 'rejected Z_DATA_ERROR\n' });
  });
});

/** Whether openssl is there to make a certificate for the https cases. */
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

(hasOpenssl ? describe : describe.skip)('over https (a self-signed certificate for 127.0.0.1, made by openssl)', () => {
  let dir: string;
  let bundle: string;
  let cert: string;
  let server: ReturnType<typeof createHttpsServer>;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-https-fetch-'));
    cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    bundle = join(dir, 'httpFetch.mjs');
    buildSync({ entryPoints: [resolve('lib/cli/httpFetch.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error' });
    server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tls":true}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 30_000);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a certificate nobody trusts, as the runtime fetch does (the same code along the cause)', async () => {
    const codes = await Promise.all(
      FETCHES.map(([, fetchFn]) => fetchFn(`${origin}/ok`, { redirect: 'manual' }).then(() => 'answered', (error: unknown) => `${(error as Error).name}: ${errorCode(error)}`)),
    );
    expect(codes).toEqual(['TypeError: DEPTH_ZERO_SELF_SIGNED_CERT', 'TypeError: DEPTH_ZERO_SELF_SIGNED_CERT']);
  });

  it('reads the answer of a trusted server (NODE_EXTRA_CA_CERTS) and exits on its own', async () => {
    const result = await new Promise<{ code: number | null; out: string }>((done) => {
      const script = `import { nodeHttpFetch } from ${JSON.stringify(bundle)};
        const { fetch } = nodeHttpFetch();
        for (let i = 0; i < 2; i++) console.log(await (await fetch(process.env.ORIGIN + '/ok', { redirect: 'manual' })).text());`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ORIGIN: origin, NODE_EXTRA_CA_CERTS: cert } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      child.on('exit', (code) => done({ code, out }));
    });
    expect(result).toEqual({ code: 0, out: '{"tls":true}\n'.repeat(2) });
  });
});

describe('which fetch the command sends over', () => {
  const node: RuntimeFacts = { versions: { node: '20.20.2' }, env: {}, execArgv: [], hasDeno: false };
  it.each<[string, boolean, Partial<RuntimeFacts>]>([
    ['Node', true, {}],
    ['Bun (its native fetch)', false, { versions: { node: '24.3.0', bun: '1.2.0' } }],
    ['Deno (its native fetch)', false, { versions: { node: '22.0.0', deno: '2.1.0' }, hasDeno: true }],
    ['Node told to use HTTP(S)_PROXY (NODE_USE_ENV_PROXY=1): its own fetch honours it', false, { env: { NODE_USE_ENV_PROXY: '1' } }],
    ['Node told to use HTTP(S)_PROXY (--use-env-proxy in NODE_OPTIONS)', false, { env: { NODE_OPTIONS: '--max-old-space-size=512 --use-env-proxy' } }],
    ['Node told to use HTTP(S)_PROXY (--use-env-proxy)', false, { execArgv: ['--use-env-proxy'] }],
  ])('%s: sends over node:http %s', (_name, expected, facts) => {
    expect(sendsOverNodeHttp({ ...node, ...facts })).toBe(expected);
  });
});
