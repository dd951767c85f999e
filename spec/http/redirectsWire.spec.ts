// Issue 24 item 2, over the wire: a redirect's own body is not read. A 302 whose body never
// ends must not keep its socket (nor grow memory) once the request that followed it is over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { createTransport } from '../../lib/http/transport';
import { normalizeOptions } from '../../lib/options';
import { countingFetch, FETCHES, type HostileServer, startHostileServer } from '../helpers/hostileHttp';

let server: HostileServer;
let other: HostileServer;
beforeAll(async () => {
  [server, other] = await Promise.all([startHostileServer(), startHostileServer()]);
});
afterAll(() => Promise.all([server.close(), other.close()]));

/** A 302 to `location` whose body trickles 16 KB every few milliseconds and never ends. */
const endlessRedirect = (location: string) =>
  server.handle((req, res) => {
    if (!req.url!.startsWith('/api/v1/start')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('{"ok":true}');
    }
    res.writeHead(302, { Location: location, 'Content-Type': 'text/plain' });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    // The server side of the test: a hostile server that writes until the client leaves.
    const pump = setInterval(() => res.write(chunk), 2);
    res.on('close', () => clearInterval(pump));
  });

describe.each(FETCHES)('a redirect whose body never ends, through %s', (_name, fetchFn) => {
  it('is followed, and its socket is closed once the request is over', async () => {
    endlessRedirect('/api/v1/next');
    const counting = countingFetch(fetchFn);
    const transport = createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'k', fetch: counting.fetch }));
    const response = await firstValueFrom(transport({ method: 'GET', path: '/start' }));
    expect(response.body).toEqual({ ok: true });
    await server.allClosed(3_000);
    // The final answer's 11 bytes, and at most one chunk of the redirect's body.
    expect(counting.decoded()).toBeLessThanOrEqual(11 + counting.largestChunk());
  });

  it('to another origin is followed without the key, and its socket is closed', async () => {
    other.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"elsewhere":true}');
    });
    endlessRedirect(`${other.origin}/x`);
    const transport = createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'k', fetch: fetchFn }));
    const response = await firstValueFrom(transport({ method: 'GET', path: '/start' }));
    expect(response.body).toEqual({ elsewhere: true });
    expect(other.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
    await server.allClosed(3_000);
  });
});
