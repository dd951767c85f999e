// JSON read from the network is bounded by its nesting depth as well as its size: 10 MB of
// `[[[[…` parse into ~330 MB and take seconds, and a recursive consumer (a schema, a journal's
// JSON.stringify) then overflows the stack.
import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
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

/** The nesting depth of a parsed JSON value (a scalar is 0). */
const depthOf = (v: unknown): number =>
  v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;

test.prop([fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 })], { numRuns: 300 })(
  'nestedDeeperThan agrees with the depth of the parsed value, whatever the strings hold',
  (value, max) => {
    const text = JSON.stringify(value);
    // Below `max` characters the scan is skipped: only texts long enough to be deeper are scanned.
    expect(nestedDeeperThan(text, max)).toBe(depthOf(value) > max);
  },
);
