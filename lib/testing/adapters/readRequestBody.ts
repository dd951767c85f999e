import type { IncomingMessage } from 'node:http';

/** The most bytes of request body the simulator's HTTP server reads: the client's own input limit (10 MiB). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * Reads a request's body while it streams, up to `maxBytes`. Past it (or when `Content-Length`
 * already says so) it stops reading and gives `undefined`; the caller answers 413 and drops the
 * connection, so the rest is never buffered.
 *
 * Hand-written listeners rather than `for await`: leaving that loop early destroys the socket
 * before the 413 can be written.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(undefined);
  return new Promise<Uint8Array | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) return void chunks.push(chunk);
      stop();
      chunks.length = 0;
      resolve(undefined);
    };
    const onEnd = () => {
      stop();
      resolve(new Uint8Array(Buffer.concat(chunks, total)));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
