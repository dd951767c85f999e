import { describe, expect, it, jest } from '@jest/globals';
import { firstValueFrom, of } from 'rxjs';
import { createTransport, type HttpRequest } from '../../lib/http/transport';
import { normalizeOptions, type SmartFlowsClientOptions } from '../../lib/options';
import { API, BASE, EXEC_ID } from '../helpers/msw';

// Attack 6, H4: a browser answers a GET from its HTTP cache when the server's answer is cacheable
// (`Cache-Control: max-age=60`, or only an old `Last-Modified`): a watch saw stale progress and the
// one read that decides after a busy answer read the cache (a form answer or a start sent twice).
// Every request's init asks fetch to bypass the cache. Not a `Cache-Control` request header: that
// would make every cross-origin call need a CORS preflight.

const ok = (type: string) => () =>
  Promise.resolve(type === 'json' ? new Response('{}', { headers: { 'content-type': 'application/json' } }) : new Response(new Uint8Array([1])));

/** The transport over a fetch that records every init it is given. */
function recording(overrides: Partial<SmartFlowsClientOptions> = {}, answer: (url: string) => Promise<Response> = ok('json')) {
  const inits: RequestInit[] = [];
  const fetch = (url: string, init?: RequestInit) => (inits.push(init ?? {}), answer(url));
  return { inits, transport: createTransport(normalizeOptions({ baseUrl: BASE, apiKey: 'k', ...overrides, fetch })) };
}

const REQUESTS: HttpRequest[] = [
  { method: 'GET', path: `/flows/executions/${EXEC_ID}/progress`, query: { timeout: 1 } },
  { method: 'GET', path: '/flows/executions', query: { skip: 0 } },
  { method: 'POST', path: '/flows/executions', body: '{}', contentType: 'application/json' },
  { method: 'DELETE', path: `/flows/executions/${EXEC_ID}`, responseType: 'empty' },
  { method: 'GET', path: `/flows/executions/${EXEC_ID}/documents/1`, responseType: 'bytes' },
];

describe("every request bypasses the HTTP cache (cache: 'no-store')", () => {
  it.each(REQUESTS.map((r) => [`${r.method} ${r.path} (${r.responseType ?? 'json'})`, r] as const))('%s', async (_name, request) => {
    for (const overrides of [{}, { apiKey: undefined, bearerToken: () => of('tok') }] as Partial<SmartFlowsClientOptions>[]) {
      const { inits, transport } = recording(overrides, ok(request.responseType === 'bytes' ? 'bytes' : 'json'));
      await firstValueFrom(transport(request));
      expect(inits.map((i) => i.cache)).toEqual(['no-store']);
      // A request header would cost every cross-origin call a preflight.
      expect(new Headers(inits[0]!.headers).has('cache-control')).toBe(false);
    }
  });

  it('keeps it on every hop of a redirect followed', async () => {
    const { inits, transport } = recording({}, (url) =>
      Promise.resolve(url.includes('/old') ? new Response(null, { status: 302, headers: { location: `${API}/new` } }) : new Response('{}')),
    );
    await firstValueFrom(transport({ method: 'GET', path: '/old' }));
    expect(inits.map((i) => i.cache)).toEqual(['no-store', 'no-store']);
  });
});

describe('a runtime that refuses a cache mode (Cloudflare Workers before compatibility date 2024-11-11)', () => {
  it('sends without the field, after asking its Request once', async () => {
    const realRequest = globalThis.Request;
    let built = 0;
    // workerd's words for a `cache` field it does not implement, from `Request` and `fetch` alike.
    class RefusingRequest extends realRequest {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        built++;
        if (init?.cache !== undefined) throw new TypeError("The 'cache' field on 'RequestInitializerDict' is not implemented.");
        super(input, init);
      }
    }
    globalThis.Request = RefusingRequest as typeof Request;
    try {
      let fresh!: typeof import('../../lib/http/transport');
      await jest.isolateModulesAsync(async () => {
        fresh = await import('../../lib/http/transport');
      });
      const inits: RequestInit[] = [];
      const fetch = (_url: string, init?: RequestInit) => (inits.push(init ?? {}), Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } })));
      const transport = fresh.createTransport(normalizeOptions({ baseUrl: BASE, apiKey: 'k', fetch }));
      await firstValueFrom(transport(REQUESTS[0]!));
      await firstValueFrom(fresh.createTransport(normalizeOptions({ baseUrl: BASE, apiKey: 'k', fetch }))(REQUESTS[1]!));
      expect(inits.map((i) => i.cache)).toEqual([undefined, undefined]);
      expect(built).toBe(1);
    } finally {
      globalThis.Request = realRequest;
    }
  });
});
