import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { firstValueFrom } from 'rxjs';
import { createTransport, type HttpRequest } from '../../lib/http/transport';
import { fetchWithoutLeakingRedirects, MAX_REDIRECTS } from '../../lib/http/redirects';
import { normalizeOptions } from '../../lib/options';
import { SmartFlowsHttpError } from '../../lib/errors';
import { API, API_KEY, BASE, errorOf, EXEC_ID, useMswServer } from '../helpers/msw';

const { server, requests } = useMswServer();

const CONTENT_URL = `${API}/documents/${EXEC_ID}/content`;
const STORAGE_URL = 'https://storage.test/blobs/abc?sig=1';
const transport = (bearerToken?: string) =>
  createTransport(normalizeOptions({ baseUrl: BASE, ...(bearerToken ? { bearerToken } : { apiKey: API_KEY }) }));
const download: HttpRequest = { method: 'GET', path: `/documents/${EXEC_ID}/content`, responseType: 'bytes' };
const redirect = (location: string, status = 302) => new HttpResponse(null, { status, headers: { Location: location } });

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('follows a %i on a GET to another host without the API key or token', async (status) => {
    server.use(
      http.get(CONTENT_URL, () => redirect(STORAGE_URL, status)),
      http.get('https://storage.test/blobs/abc', () => HttpResponse.arrayBuffer(new Uint8Array([37, 80, 68, 70]).buffer)),
    );
    for (const t of [transport(), transport('jwt-abc')]) {
      requests.length = 0;
      const response = await firstValueFrom(t(download));
      expect(response.body).toEqual(new Uint8Array([37, 80, 68, 70]));
      expect(requests.map((r) => r.url)).toEqual([CONTENT_URL, STORAGE_URL]);
      expect(requests[0]!.headers.get('x-api-key') ?? requests[0]!.headers.get('authorization')).toBeTruthy();
      expect(requests[1]!.headers.get('x-api-key')).toBeNull();
      expect(requests[1]!.headers.get('authorization')).toBeNull();
    }
  });

  it('keeps the credentials on a redirect within the same origin', async () => {
    server.use(
      http.get(CONTENT_URL, () => redirect('/api/v1/documents/content/' + EXEC_ID)),
      http.get(`${API}/documents/content/${EXEC_ID}`, () => HttpResponse.arrayBuffer(new ArrayBuffer(1))),
    );
    await firstValueFrom(transport()(download));
    expect(requests.map((r) => r.headers.get('x-api-key'))).toEqual([API_KEY, API_KEY]);
  });

  it('does not follow a redirect from https down to http, and fails with SmartFlowsHttpError', async () => {
    server.use(http.get(CONTENT_URL, () => redirect('http://storage.test/blob')));
    const error = await errorOf(transport()(download));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error.status).toBe(302);
    expect(requests).toHaveLength(1);
  });

  it('gives a POST its redirect back as SmartFlowsHttpError instead of sending the body elsewhere', async () => {
    server.use(http.post(`${API}/flows/executions`, () => redirect('https://elsewhere.test/x', 307)));
    const error = await errorOf(transport()({ method: 'POST', path: '/flows/executions', body: '<a/>', contentType: 'application/xml' }));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error.status).toBe(307);
    expect(requests).toHaveLength(1);
  });

  it(`stops after ${MAX_REDIRECTS} hops`, async () => {
    let n = 0;
    server.use(http.get(`${API}/loop/:n`, () => redirect(`${API}/loop/${++n}`)));
    const error = await errorOf(transport()({ method: 'GET', path: '/loop/0' }));
    expect(error.status).toBe(302);
    expect(requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('in a browser, sends a GET again with fetch following when the redirect is opaque', async () => {
    const seen: RequestRedirect[] = [];
    const browserFetch = async (_url: string, init?: RequestInit) => {
      seen.push(init!.redirect!);
      if (init!.redirect === 'manual') return Object.defineProperty(new Response(null, { status: 200 }), 'type', { value: 'opaqueredirect' });
      return new Response('{}', { status: 200 });
    };
    const response = await fetchWithoutLeakingRedirects(browserFetch, CONTENT_URL, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(seen).toEqual(['manual', 'follow']);
  });
});
