// Issue 24 item 4: the API key must not cross a redirect under `withHttpClient()` (Node/SSR).
//
// Angular's packages are published partially compiled and need `@angular/compiler` (JIT) to
// load, which this project does not install; so `@angular/common/http`, `@angular/common` and
// `@angular/core` are replaced by small stand-ins here. The HttpClient stand-in does what
// Angular 20.3's FetchBackend does (read in node_modules/@angular/common/fesm2022/module.mjs,
// `FetchBackend.doRequest` and `createRequestInit`): it calls fetch with the request's `redirect`
// option, reads the whole body, and errors with HttpErrorResponse for a status outside 2xx
// (status 0 and `error: null` for a browser's opaque redirect). The requests go over the wire,
// to two node:http servers on 127.0.0.1 (two origins).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { firstValueFrom, Observable } from 'rxjs';
import { createTransport } from '../../lib/http/transport';
import { normalizeOptions, type FetchLike } from '../../lib/options';
import { SmartFlowsInputError } from '../../lib/errors';
import { type HostileServer, startHostileServer } from '../helpers/hostileHttp';

jest.mock('@angular/common/http', () => {
  class HttpHeaders {
    private readonly map = new Map<string, string[]>();
    constructor(init?: Record<string, string> | Headers) {
      const entries = init instanceof Headers ? [...init.entries()] : Object.entries(init ?? {});
      for (const [k, v] of entries) this.map.set(k.toLowerCase(), [v]);
    }
    keys() {
      return [...this.map.keys()];
    }
    getAll(name: string) {
      return this.map.get(name.toLowerCase()) ?? null;
    }
  }
  class HttpResponse {
    constructor(init: Record<string, unknown>) {
      Object.assign(this, init);
    }
  }
  class HttpErrorResponse {
    constructor(init: Record<string, unknown>) {
      Object.assign(this, { statusText: '', headers: new HttpHeaders(), ...init });
    }
  }
  class HttpClient {}
  class HttpBackend {}
  class HttpXhrBackend {}
  class FetchBackend {}
  return { HttpHeaders, HttpResponse, HttpErrorResponse, HttpClient, HttpBackend, HttpXhrBackend, FetchBackend };
});
const injected = new Map<unknown, unknown>();
jest.mock('@angular/core', () => ({
  InjectionToken: class InjectionToken {
    constructor(readonly name: string) {}
  },
  inject: (token: unknown) => injected.get(token),
  PLATFORM_ID: 'PLATFORM_ID',
  makeEnvironmentProviders: (p: unknown) => p,
  provideEnvironmentInitializer: (fn: unknown) => fn,
}));
jest.mock('@angular/common', () => ({ isPlatformBrowser: (id: unknown) => id === 'browser' }));

// Required after the mocks are registered (swc does not hoist `jest.mock` above imports).
/* eslint-disable @typescript-eslint/no-require-imports */
const { HttpBackend, HttpClient, HttpErrorResponse, HttpHeaders, HttpResponse, HttpXhrBackend, FetchBackend } =
  require('@angular/common/http') as typeof import('@angular/common/http');
const { PLATFORM_ID } = require('@angular/core') as typeof import('@angular/core');
const { httpClientFetch } = require('../../lib/angular/httpClientFetch') as typeof import('../../lib/angular/httpClientFetch');
const { withHttpClient } = require('../../lib/angular/withHttpClient') as typeof import('../../lib/angular/withHttpClient');
/* eslint-enable @typescript-eslint/no-require-imports */

type Options = { headers: InstanceType<typeof HttpHeaders>; body: BodyInit | null; responseType: 'text' | 'arraybuffer'; redirect?: RequestRedirect; cache?: RequestCache };

/** An HttpClient whose backend behaves as Angular's FetchBackend, over `fetchImpl`; it records each request's options. */
function fetchBackendClient(fetchImpl: FetchLike = (u, i) => globalThis.fetch(u, i)) {
  const sent: Options[] = [];
  const http = {
    request: (method: string, url: string, options: Options) =>
      new Observable((subscriber) => {
        sent.push(options);
        const aborter = new AbortController();
        const headers: Record<string, string> = {};
        for (const name of options.headers.keys()) headers[name] = options.headers.getAll(name)!.join(',');
        fetchImpl(url, { method, headers, body: options.body, signal: aborter.signal, redirect: options.redirect }).then(
          async (response) => {
            let body: string | ArrayBuffer | null = null;
            if (response.body) body = options.responseType === 'text' ? await response.text() : await response.arrayBuffer();
            const status = response.status === 0 ? (body ? 200 : 0) : response.status;
            const init = { headers: new HttpHeaders(response.headers), status, statusText: response.statusText, url: response.url || url };
            if (status >= 200 && status < 300) {
              subscriber.next(new HttpResponse({ ...init, body }));
              subscriber.complete();
            } else {
              subscriber.error(new HttpErrorResponse({ ...init, error: body }));
            }
          },
          (error: { status?: number }) => subscriber.error(new HttpErrorResponse({ error, status: error.status ?? 0, url })),
        );
        return () => aborter.abort();
      }),
  };
  return { http: http as unknown as InstanceType<typeof HttpClient>, sent };
}

let server: HostileServer;
let elsewhere: HostileServer;
beforeAll(async () => {
  [server, elsewhere] = await Promise.all([startHostileServer(), startHostileServer()]);
  elsewhere.handle((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"elsewhere":true}');
  });
});
afterAll(() => Promise.all([server.close(), elsewhere.close()]));

const transportOn = (fetch: FetchLike) => createTransport(normalizeOptions({ baseUrl: server.origin, apiKey: 'sk-secret', fetch }));

describe('httpClientFetch', () => {
  it('passes the redirect mode on, so a 302 to another origin is followed by the client without X-API-Key', async () => {
    server.handle((_req, res) => {
      res.writeHead(302, { Location: `${elsewhere.origin}/blob` });
      res.end();
    });
    const { http, sent } = fetchBackendClient();
    const response = await firstValueFrom(transportOn(httpClientFetch(http))({ method: 'GET', path: '/documents/d/content', responseType: 'bytes' }));
    expect(new TextDecoder().decode(response.body as Uint8Array)).toBe('{"elsewhere":true}');
    expect(server.seen.at(-1)!.headers['x-api-key']).toBe('sk-secret');
    expect(elsewhere.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
    expect(sent[0]!.redirect).toBe('manual');
  });

  it("turns a browser's opaque redirect (status 0, no body) into fetch's opaqueredirect, so the GET is sent again with the browser following", async () => {
    // A browser's fetch with redirect 'manual' answers a 302 with an opaque, bodiless status 0.
    const browserFetch: FetchLike = async (url, init) =>
      init?.redirect === 'manual' ? Object.defineProperty(Response.error(), 'type', { value: 'opaqueredirect' }) : globalThis.fetch(`${elsewhere.origin}/x`, { headers: init?.headers });
    const { http, sent } = fetchBackendClient(browserFetch);
    const response = await firstValueFrom(transportOn(httpClientFetch(http))({ method: 'GET', path: '/flows/executions' }));
    expect(response.body).toEqual({ elsewhere: true });
    expect(sent.map((o) => o.redirect)).toEqual(['manual', 'follow']);
  });

  it('still fails a status 0 that is a network error (no answer) as one', async () => {
    const { http } = fetchBackendClient(() => Promise.reject(new TypeError('fetch failed')));
    await expect(httpClientFetch(http)(`${server.origin}/x`, { redirect: 'manual' })).rejects.toThrow(TypeError);
  });

  it("passes cache: 'no-store' on to the fetch backend, so a browser never answers a poll from its HTTP cache (attack 6 H4)", async () => {
    server.handle((_req, res) => res.end('{}'));
    const { http, sent } = fetchBackendClient();
    await firstValueFrom(transportOn(httpClientFetch(http))({ method: 'GET', path: '/flows/executions/e/progress' }));
    expect(sent[0]!.cache).toBe('no-store');
  });

  it('does not pass the cache mode to the XHR backend (Angular warns about it there; docs/angular.md says what to do)', async () => {
    server.handle((_req, res) => res.end('{}'));
    const { http, sent } = fetchBackendClient();
    await httpClientFetch(http, { backendFollowsRedirects: true })(`${server.origin}/x`, { cache: 'no-store', headers: { Accept: 'application/json' } });
    expect(sent[0]!.cache).toBeUndefined();
  });

  it('does not pass the redirect mode to a backend that follows redirects itself (the XHR backend warns about it)', async () => {
    server.handle((_req, res) => res.end('{}'));
    const { http, sent } = fetchBackendClient();
    await httpClientFetch(http, { backendFollowsRedirects: true })(`${server.origin}/x`, { redirect: 'manual', headers: { Accept: 'application/json' } });
    expect(sent[0]!.redirect).toBeUndefined();
  });
});

describe('withHttpClient', () => {
  const factory = () => (withHttpClient().providers[0] as unknown as { useFactory: () => FetchLike }).useFactory();
  const setUp = (backend: object, platform: string) => {
    injected.clear();
    const { http, sent } = fetchBackendClient();
    injected.set(HttpClient, http).set(HttpBackend, backend).set(PLATFORM_ID, platform);
    return sent;
  };

  it('outside a browser, refuses the XHR backend, which would follow a redirect to any host with the key', () => {
    setUp(Object.create(HttpXhrBackend.prototype), 'server');
    expect(factory).toThrow(SmartFlowsInputError);
    expect(factory).toThrow(/withFetch\(\)/);
  });

  it('in a browser, takes the XHR backend (CORS decides where the key may go) and does not pass it the redirect mode', async () => {
    const sent = setUp(Object.create(HttpXhrBackend.prototype), 'browser');
    server.handle((_req, res) => res.end('{}'));
    await factory()(`${server.origin}/x`, { redirect: 'manual', headers: { Accept: 'application/json' } });
    expect(sent[0]!.redirect).toBeUndefined();
  });

  it('with the fetch backend, passes the redirect mode on, on the server too', async () => {
    const sent = setUp(Object.create(FetchBackend.prototype), 'server');
    server.handle((_req, res) => res.end('{}'));
    await factory()(`${server.origin}/x`, { redirect: 'manual', headers: { Accept: 'application/json' } });
    expect(sent[0]!.redirect).toBe('manual');
  });
});
