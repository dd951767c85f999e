import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A hostile server on 127.0.0.1 in front of the simulator: it answers some requests itself. */
export interface HostileProxy {
  /** Its URL, to give the CLI as SMART_FLOWS_URL. */
  readonly url: string;
  /** Stops listening and drops the connections still open. */
  close(): Promise<void>;
}

/**
 * Answers a request itself when `intercept(req, res)` returns true (it then owns `res`);
 * forwards every other request to `target` as it is, and sends back the answer as it is.
 * For what `serverEvents` cannot do: answers whose headers or connection lie (a declared length
 * past the limit, a body cut mid-way).
 */
export async function hostileProxy(target: string, intercept: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<HostileProxy> {
  const server: Server = createServer((req, res) => {
    if (intercept(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void forward(req, Buffer.concat(chunks), res));
  });
  async function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    // The CLI may exit with requests in flight: the answer then has nobody to go to.
    const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length > 0 ? new Uint8Array(body) : undefined }).catch(() => undefined);
    if (!answer) return void res.destroy();
    const bytes = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
    });
    res.writeHead(answer.status, { ...out, 'content-length': String(bytes.length) });
    res.end(bytes);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The document id of a request for a document's content (either spelling of the path), or undefined. */
export const documentContentId = (req: IncomingMessage): string | undefined => /\/documents\/(?:content\/)?([0-9a-f-]{36})(?:\/content)?$/i.exec(req.url?.split('?')[0] ?? '')?.[1];
