import { describe, expect, it, jest } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { createTransport } from '../../lib/http/transport';
import { normalizeOptions } from '../../lib/options';
import { SmartFlowsHttpError } from '../../lib/errors';
import { API_KEY, BASE, EXEC_ID, errorOf, PROGRESS_URL, useMswServer } from '../helpers/msw';

// The transport loads the redactor with its first error answer (in a browser app's bundle a
// chunk fetched then, not up front). A chunk the network did not deliver must not let an
// error body through unredacted: the body is not kept, like one that could not be read, and
// the error is still the HTTP error of that status (what retries and callers go by).
jest.mock('../../lib/internal/redact', () => {
  throw new Error('Failed to fetch dynamically imported module: redact-XYZ.js');
});

const { server } = useMswServer();

describe('the transport when the redactor cannot be loaded', () => {
  it('keeps no error body, and the error stays the HTTP error of its status', async () => {
    server.use(http.get(PROGRESS_URL, () => new HttpResponse(`bad key ${API_KEY}`, { status: 503, headers: { 'retry-after': '7' } })));
    const error = await errorOf(createTransport(normalizeOptions({ baseUrl: BASE, apiKey: API_KEY }))({ method: 'GET', path: `/flows/executions/${EXEC_ID}/progress` }));
    expect(error).toBeInstanceOf(SmartFlowsHttpError);
    expect(error).toMatchObject({ status: 503, method: 'GET', url: PROGRESS_URL, body: '', retryAfterMs: 7000 });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(API_KEY);
  });
});
