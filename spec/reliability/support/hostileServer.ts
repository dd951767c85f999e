import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the hostile server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/** Answers one request; may write anything, slowly, or never. */
export type HostileHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest[]) => unknown;

/** A tiny node:http server whose handler each test replaces, for answers no real server gives. */
export interface HostileServer {
  url: string;
  seen: SeenRequest[];
  /** Bytes the handler managed to write before the client went away (for the large bodies). */
  written: { bytes: number; track?: (res: ServerResponse) => void };
  /** Resolves with true when the connection of the latest large body closed before it was all sent. */
  cut: () => Promise<boolean>;
  use(handler: HostileHandler): void;
  close(): Promise<void>;
}

export async function startHostileServer(): Promise<HostileServer> {
  let handler: HostileHandler = (_req, res) => res.writeHead(404).end();
  const seen: SeenRequest[] = [];
  let cut = Promise.resolve(false);
  let markCut: (value: boolean) => void = () => undefined;
  const written: HostileServer['written'] = {
    bytes: 0,
    track: (res) => res.once('close', () => markCut(!res.writableFinished)),
  };
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    req.resume();
    void Promise.resolve()
      .then(() => handler(req, res, seen))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    written,
    cut: () => cut,
    use(next) {
      handler = next;
      seen.length = 0;
      written.bytes = 0;
      cut = new Promise<boolean>((resolve) => (markCut = resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes `totalBytes` of `fill` in 64 KiB chunks, honouring backpressure, stopping when the client leaves. */
export async function writeLarge(res: ServerResponse, totalBytes: number, written: HostileServer['written'], fill = ' '): Promise<void> {
  written.track?.(res);
  const chunk = Buffer.alloc(64 * 1024, fill);
  while (written.bytes < totalBytes && !res.destroyed) {
    const n = Math.min(chunk.length, totalBytes - written.bytes);
    const ok = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    written.bytes += n;
    if (!ok) await new Promise<void>((resolve) => {
      // Whichever comes first removes the other: a listener left per wait piled up on the
      // response (Node's MaxListenersExceededWarning on a 50 MB body).
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  }
  if (!res.destroyed) res.end();
}
