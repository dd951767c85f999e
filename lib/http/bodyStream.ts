import type { SchedulerLike } from 'rxjs';
import { openBody, type TooLarge } from './readLimited';

/** What {@link bodyStream} needs besides the answer. */
export interface BodyStreamOptions {
  /** Largest body passed on; past it the stream errors. */
  limit: number;
  tooLarge: TooLarge;
  /** Longest wait for data while a read is pending. */
  idleMs: number;
  scheduler: SchedulerLike;
  /** The error for a stall of `idleMs`. */
  stalled: () => Error;
  /** The error for a failed read (a reset connection). */
  failed: (cause: unknown) => Error;
  /** Lets the connection go (aborts the request). */
  release: () => void;
}

/**
 * The body as a WHATWG `ReadableStream`, read at the caller's pace: nothing is read ahead of a
 * read (`highWaterMark` 0), so the caller's own slowness never counts as a stall; while a read
 * waits, `idleMs` without data errors the stream; past `limit` bytes it errors; cancelling it,
 * or either error, lets the connection go.
 */
export function bodyStream(res: Response, options: BodyStreamOptions): ReadableStream<Uint8Array> {
  const { limit, idleMs, scheduler } = options;
  const reader = openBody(res);
  let total = 0;
  const stop = (controller: ReadableStreamDefaultController<Uint8Array>, error: Error) => {
    reader.cancel();
    options.release();
    controller.error(error);
  };
  // A pull source, not an Observable: the reader, not a subscription, decides when to read.
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let stalled = false;
        const stall = scheduler.schedule(() => {
          stalled = true;
          stop(controller, options.stalled());
        }, idleMs);
        let chunk: Uint8Array | undefined;
        try {
          chunk = await reader.read();
        } catch (cause) {
          // After a stall the stream has already errored; this read only failed because of it.
          return stalled ? undefined : stop(controller, options.failed(cause));
        } finally {
          stall.unsubscribe();
        }
        if (chunk === undefined) return controller.close();
        total += chunk.byteLength;
        if (total > limit) return stop(controller, options.tooLarge(`over ${limit} bytes read; limit ${limit}`));
        controller.enqueue(chunk);
      },
      cancel() {
        reader.cancel();
        options.release();
      },
    },
    { highWaterMark: 0 },
  );
}
