import { SmartFlowsResponseError } from '../errors';

/** Describes the answer in a too-large error, e.g. `GET /api/v1/documents/…/content`. */
export type TooLarge = (detail: string) => SmartFlowsResponseError;

const tooLargeAnswer: TooLarge = (detail) => new SmartFlowsResponseError(`The answer is too large (${detail})`);

/** A body read chunk by chunk, whatever the fetch gives. */
export interface BodyReader {
  /** The next chunk, or `undefined` at the end. */
  read(): Promise<Uint8Array | undefined>;
  /** Stops reading; the caller aborts the request too, so the connection is let go. */
  cancel(): void;
}

/**
 * Opens a body for reading chunk by chunk: a WHATWG stream (browsers, undici), a Node stream
 * (node-fetch, under cross-fetch) or, failing both, `arrayBuffer()` as one chunk.
 */
export function openBody(res: Response): BodyReader {
  const body = res.body as unknown;
  if (body && typeof (body as ReadableStream).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    return {
      read: async () => (await reader.read()).value,
      cancel: () => void reader.cancel().catch(() => undefined),
    };
  }
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    // node-fetch emits an abort as an 'error' on its body: with nobody listening, it would throw.
    (body as { on?: (event: string, fn: () => void) => void }).on?.('error', () => undefined);
    const chunks = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
    return {
      read: async () => {
        const { done, value } = await chunks.next();
        if (done) return undefined;
        return typeof value === 'string' ? new TextEncoder().encode(value) : value;
      },
      cancel: () => {
        void chunks.return?.().catch(() => undefined);
        // Ending an iteration that never started does not destroy the stream: destroyed here.
        (body as { destroy?: () => void }).destroy?.();
      },
    };
  }
  let done = false;
  return {
    read: async () => (done ? undefined : ((done = true), new Uint8Array(await res.arrayBuffer()))),
    cancel: () => undefined,
  };
}

/**
 * Refuses an answer whose declared Content-Length is past `limit`, before reading it (the body
 * is cancelled; the caller should abort the request so the connection is let go).
 * @throws SmartFlowsResponseError when the declared length is larger than `limit`
 */
export function refuseDeclaredOver(res: Response, limit: number, tooLarge: TooLarge = tooLargeAnswer): void {
  const declared = Number(res.headers.get('content-length'));
  if (declared > limit) {
    openBody(res).cancel();
    throw tooLarge(`Content-Length ${declared}; limit ${limit}`);
  }
}

/**
 * Reads a body of at most `limit` bytes as fetch gives it (inflated, for a compressed answer),
 * chunk by chunk, and stops reading as soon as it is past the limit (a declared Content-Length
 * past it is refused unread): a huge answer is refused rather than held in memory. When it refuses, the caller should abort the request
 * so the connection is let go.
 * @param onChunk - told of each chunk as it arrives (an idle timeout restarts on it)
 * @throws SmartFlowsResponseError when the body is larger than `limit`
 */
export function readLimited(res: Response, limit: number, tooLarge: TooLarge = tooLargeAnswer, onChunk?: () => void): Promise<Uint8Array> {
  // Promise chains rather than async functions: every poll's answer is read here, and each
  // async layer cost a promise and a turn of its own.
  return readChunksLimited(res, limit, tooLarge, onChunk).then(concat);
}

/** Like {@link readLimited}, but gives the chunks as they came (for a `Blob`, which needs no copy). */
export function readChunksLimited(res: Response, limit: number, tooLarge: TooLarge = tooLargeAnswer, onChunk?: () => void): Promise<Uint8Array[]> {
  try {
    refuseDeclaredOver(res, limit, tooLarge);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!onChunk && res.headers.has('content-length') && lengthIsDecoded(res)) {
    // A declared length within the limit is enforced by fetch itself: read the body natively,
    // which costs far less CPU per poll than a chunk loop in JavaScript.
    return res.arrayBuffer().then((buffer) => [new Uint8Array(buffer)]);
  }
  return readChunks(res, limit, tooLarge, onChunk);
}

/**
 * Whether the body fetch gives is as long as the declared Content-Length: no content coding
 * (gzip, deflate, br…) that fetch inflates, where the length is the *compressed* size and a
 * 1 MB answer may inflate to gigabytes. A cross-origin answer in a browser hides
 * Content-Encoding unless the server exposes it, so there the length proves nothing either.
 */
function lengthIsDecoded(res: Response): boolean {
  const coding = res.headers.get('content-encoding');
  return (coding === null || coding === '' || coding.toLowerCase() === 'identity') && res.type !== 'cors';
}

/**
 * The chunk loop of {@link readChunksLimited}: counts the bytes as fetch gives them (inflated),
 * and past `limit` cancels the body and stops, so a compressed bomb costs at most the limit
 * and one chunk.
 */
async function readChunks(res: Response, limit: number, tooLarge: TooLarge, onChunk?: () => void): Promise<Uint8Array[]> {
  const reader = openBody(res);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    onChunk?.();
    total += chunk.byteLength;
    if (total > limit) {
      reader.cancel();
      throw tooLarge(`over ${limit} bytes read; limit ${limit}`);
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** Joins chunks into one plain `Uint8Array` (a Node `Buffer` chunk is copied out of its pool). */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const only = chunks.length === 1 ? chunks[0] : undefined;
  if (only && only.constructor === Uint8Array) return only;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
