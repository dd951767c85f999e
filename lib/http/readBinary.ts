import { bodyStream } from './bodyStream';
import { concat, readChunksLimited, refuseDeclaredOver, type TooLarge } from './readLimited';

// Apart from the transport, which imports it at the first binary answer: only documents are
// binary, and the documents part imports this module, so it comes in the documents' chunk.

/** The ways binary content is given: bytes, a `Blob`, or a `ReadableStream` read at the caller's pace. */
export type BinaryType = 'bytes' | 'blob' | 'stream';

/**
 * Reads binary content within `limit` bytes: whole as bytes or a Blob (restarting the idle
 * timeout on each chunk), or as a stream the caller reads (its own idle timeout per read).
 */
export async function readBinary(
  res: Response,
  type: BinaryType,
  options: Omit<Parameters<typeof bodyStream>[1], 'tooLarge'> & { tooLarge: TooLarge; touch: () => void },
): Promise<Uint8Array | Blob | ReadableStream<Uint8Array>> {
  if (type === 'stream') {
    refuseDeclaredOver(res, options.limit, options.tooLarge);
    return bodyStream(res, options);
  }
  options.touch();
  const chunks = await readChunksLimited(res, options.limit, options.tooLarge, options.touch);
  return type === 'blob' ? new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? '' }) : concat(chunks);
}
