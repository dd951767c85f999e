// JSON read from the network is bounded by its nesting depth as well as its size: 10 MB of
// `[[[[…` parse into ~330 MB and take seconds, and a recursive consumer (a schema, a journal's
// JSON.stringify) then overflows the stack.
import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { firstValueFrom } from 'rxjs';
import { createTransport } from '../../lib/http/transport';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../lib/http/jsonDepth';
import { normalizeOptions } from '../../lib/options';
import { SmartFlowsResponseError } from '../../lib/errors';
import { BASE, errorOf, PROGRESS_URL, useMswServer } from '../helpers/msw';

const { server } = useMswServer();
const transport = createTransport(normalizeOptions({ baseUrl: BASE, apiKey: 'k' }));
const poll = () => transport({ method: 'GET', path: new URL(PROGRESS_URL).pathname.slice('/api/v1'.length) });
const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);
const answer = (text: string) => server.use(http.get(PROGRESS_URL, () => new HttpResponse(text, { headers: { 'Content-Type': 'application/json' } })));

describe('JSON depth', () => {
  it('refuses an answer nested 200,000 deep inside an extra field with SmartFlowsResponseError', async () => {
    answer(`{"status":"Running","percentage":1,"extra":${nested(200_000)}}`);
    const error = await errorOf(poll());
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    expect(error.message).toMatch(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(error.retryable).toBe(false);
  });

  it(`reads an answer nested exactly ${MAX_JSON_DEPTH} deep`, async () => {
    answer(`{"extra":${nested(MAX_JSON_DEPTH - 1)}}`);
    await expect(firstValueFrom(poll())).resolves.toMatchObject({ status: 200 });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ message: '[{'.repeat(5000) + '\\"[[[' + '"' + '{{{{' });
    expect(nestedDeeperThan(text, 2)).toBe(false);
    expect(nestedDeeperThan(`{"a":"\\\\","b":${nested(3)}}`, 3)).toBe(true);
    expect(nestedDeeperThan(`{"a":"\\\\","b":${nested(2)}}`, 3)).toBe(false);
  });
});
