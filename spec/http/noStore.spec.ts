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

describe('Cloudflare Workers (before compatibility date 2024-11-11 they refuse a cache mode)', () => {
  it('sends without the field where navigator.userAgent is Cloudflare-Workers', async () => {
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true, writable: true });
    try {
      let fresh!: typeof import('../../lib/http/transport');
      await jest.isolateModulesAsync(async () => {
        fresh = await import('../../lib/http/transport');
      });
      const inits: RequestInit[] = [];
      const fetch = (_url: string, init?: RequestInit) => (inits.push(init ?? {}), Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } })));
      await firstValueFrom(fresh.createTransport(normalizeOptions({ baseUrl: BASE, apiKey: 'k', fetch }))(REQUESTS[0]!));
      expect(inits.map((i) => i.cache)).toEqual([undefined]);
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('does not build a Request to find out (in Node that loads undici, which the command line avoids)', async () => {
    const realRequest = globalThis.Request;
    let built = 0;
    globalThis.Request = class extends realRequest {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        built++;
        super(input, init);
      }
    } as typeof Request;
    try {
      await jest.isolateModulesAsync(async () => {
        await import('../../lib/http/transport');
      });
      expect(built).toBe(0);
    } finally {
      globalThis.Request = realRequest;
    }
  });
});
