// Issue 24 item 1: a compressed answer is bounded by what it inflates to, not by its
// Content-Length (the compressed size). Over the wire, with both fetches the Node build uses.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { createTransport, type HttpRequest, MAX_JSON_BYTES } from '../../lib/http/transport';
import { normalizeOptions } from '../../lib/options';
import { SmartFlowsHttpError, SmartFlowsResponseError } from '../../lib/errors';
import { bomb, countingFetch, type Encoding, FETCHES, type HostileServer, startHostileServer } from '../helpers/hostileHttp';

const INFLATED = 200 * 2 ** 20; // 200 MB from under 1 MB
const DOC_LIMIT = 2 ** 20;
const ENCODINGS: Encoding[] = ['gzip', 'deflate', 'br'];

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());

/** The answers of each path the library reads: JSON, an error body, and documents three ways. */
const PATHS: { name: string; status: number; request: HttpRequest; limit: number }[] = [
  { name: 'a JSON answer', status: 200, request: { method: 'GET', path: '/flows/executions/x/progress' }, limit: MAX_JSON_BYTES },
  { name: 'an error body', status: 500, request: { method: 'GET', path: '/flows/executions/x/progress' }, limit: MAX_JSON_BYTES },
  { name: 'a listing', status: 200, request: { method: 'GET', path: '/flows/executions', query: { page: 1 } }, limit: MAX_JSON_BYTES },
  { name: 'document bytes', status: 200, request: { method: 'GET', path: '/documents/d/content', responseType: 'bytes', maxBytes: DOC_LIMIT }, limit: DOC_LIMIT },
  { name: 'a document Blob', status: 200, request: { method: 'GET', path: '/documents/d/content', responseType: 'blob', maxBytes: DOC_LIMIT }, limit: DOC_LIMIT },
];

/** Reads a `stream` answer to its end (or its error). */
async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader();
  while (!(await reader.read()).done);
}

describe.each(FETCHES)('a compressed bomb with an honest Content-Length, through %s', (_name, fetchFn) => {
  describe.each(ENCODINGS)('Content-Encoding %s', (encoding) => {
    const body = bomb(encoding, INFLATED);
    const serveBomb = (status: number) =>
      server.handle((_req, res) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Content-Length': body.length });
        res.end(body);
      });

    it.each(PATHS)('refuses $name past its limit in decoded bytes, and closes the connection', async ({ status, request, limit }) => {
      serveBomb(status);
      const counting = countingFetch(fetchFn);
      const transport = createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'k', fetch: counting.fetch }));
      const error = await firstValueFrom(transport(request)).then(() => undefined, (e: unknown) => e);
      if (status === 500) {
        // The error still names the status; the body too large to read is left out.
        expect(error).toBeInstanceOf(SmartFlowsHttpError);
        expect((error as SmartFlowsHttpError).body).toBe('');
      } else {
        expect(error).toBeInstanceOf(SmartFlowsResponseError);
        expect((error as Error).message).toMatch(/too large/);
      }
      expect(counting.decoded() - counting.largestChunk()).toBeLessThanOrEqual(limit);
      await server.allClosed();
    });

    it('refuses a document read as a stream past maxBytes in decoded bytes', async () => {
      serveBomb(200);
      const counting = countingFetch(fetchFn);
      const transport = createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'k', fetch: counting.fetch }));
      const response = await firstValueFrom(transport({ method: 'GET', path: '/documents/d/content', responseType: 'stream', maxBytes: DOC_LIMIT }));
      const error = await drain(response.body as ReadableStream<Uint8Array>).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(SmartFlowsResponseError);
      expect(counting.decoded() - counting.largestChunk()).toBeLessThanOrEqual(DOC_LIMIT);
      await server.allClosed();
    });
  });

  it('still reads a small compressed JSON answer whole', async () => {
    const json = JSON.stringify({ status: 'Running', percentage: 40, message: 'x'.repeat(5000) });
    for (const encoding of ENCODINGS) {
      const packed = compress(encoding, json);
      server.handle((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Content-Length': packed.length });
        res.end(packed);
      });
      const transport = createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'k', fetch: fetchFn }));
      const response = await firstValueFrom(transport({ method: 'GET', path: '/flows/executions/x/progress' }));
      expect(response.body).toEqual(JSON.parse(json));
    }
  });
});

function compress(encoding: Encoding, text: string): Buffer {
  return encoding === 'gzip' ? gzipSync(text) : encoding === 'deflate' ? deflateSync(text) : brotliCompressSync(text);
}
