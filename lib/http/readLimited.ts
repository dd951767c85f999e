import { SmartFlowsResponseError } from '../errors';

const tooLarge = (bytes: number, limit: number, exact: boolean) =>
  new SmartFlowsResponseError(`The answer is too large (${exact ? '' : 'over '}${bytes} bytes; limit ${limit})`);

/**
 * Reads a body of at most `limit` bytes, chunk by chunk, and stops reading as soon as it is
 * past the limit (a declared Content-Length past it is refused unread): a huge answer is
 * refused rather than held in memory. Reads a WHATWG stream (browsers, undici), a Node
 * stream (node-fetch, under cross-fetch) or, failing both, `arrayBuffer()`.
 * When it refuses, the caller should abort the request so the connection is let go.
 * @throws SmartFlowsResponseError when the body is larger than `limit`
 */
export async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  const body = res.body as unknown;
  // node-fetch emits an abort as an 'error' on its body: with nobody listening, it would throw.
  const quiet = () => (body as { on?: (event: string, fn: () => void) => void } | null)?.on?.('error', () => undefined);
  const declared = Number(res.headers.get('content-length'));
  if (declared > limit) {
    quiet();
    void (body as ReadableStream | null)?.cancel?.().catch(() => undefined);
    throw tooLarge(declared, limit, true);
  }
  if (declared >= 0 && res.headers.has('content-length')) {
    // A declared length within the limit is enforced by fetch itself: read the body natively,
    // which costs far less CPU per poll than a chunk loop in JavaScript.
    return new Uint8Array(await res.arrayBuffer());
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const add = (chunk: Uint8Array): boolean => {
    total += chunk.byteLength;
    chunks.push(chunk);
    return total <= limit;
  };
  if (body && typeof (body as ReadableStream).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!add(value)) {
        void reader.cancel().catch(() => undefined);
        throw tooLarge(limit, limit, false);
      }
    }
  } else if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    quiet();
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      // Leaving the loop destroys the Node stream: reading stops here.
      if (!add(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)) throw tooLarge(limit, limit, false);
    }
  } else {
    const buffer = new Uint8Array(await res.arrayBuffer());
    if (buffer.byteLength > limit) throw tooLarge(buffer.byteLength, limit, true);
    return buffer;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
