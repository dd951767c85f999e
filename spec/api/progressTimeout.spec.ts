import { describe, expect, it } from 'vitest';
import { firstValueFrom, of } from 'rxjs';
import { createApi } from '../../lib/api/createApi';
import { NO_HOLD_SECONDS, progressRequestTimeoutMs, progressTimeoutParam } from '../../lib/api/progressTimeout';
import type { HttpRequest, Transport } from '../../lib/http/transport';
import { normalizeOptions } from '../../lib/options';
import { EXEC_ID } from '../helpers/progress';

/** An API over a transport that records each request and answers a running progress. */
function recordingApi(requestTimeoutMs?: number) {
  const sent: HttpRequest[] = [];
  const transport: Transport = (request) => {
    sent.push(request);
    return of({ status: 200, headers: new Headers(), url: 'x', body: { id: EXEC_ID, percentage: 10, message: 'm', status: 'Running' } });
  };
  const options = normalizeOptions({ baseUrl: 'https://flows.test', apiKey: 'k', ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
  return { api: createApi(transport, options), sent };
}

describe('the progress call: an explicit timeout on every request, and a limit sized from it', () => {
  it('sends timeout=1 when no hold is wanted: the one value every server that reads it takes as "at most 1 s"', () => {
    expect(NO_HOLD_SECONDS).toBe(1);
    expect(progressTimeoutParam(0)).toBe(1);
    expect(progressTimeoutParam(30)).toBe(30);
  });

  it('gives each request the hold it asks for plus requestTimeoutMs', () => {
    expect(progressRequestTimeoutMs(0, 30_000)).toBe(31_000);
    expect(progressRequestTimeoutMs(30, 30_000)).toBe(60_000);
    expect(progressRequestTimeoutMs(5, 100)).toBe(5_100);
  });

  it.each([
    [0, 1, 31_000],
    [30, 30, 60_000],
    [7, 7, 37_000],
  ])('a progress request wanting a %d s hold sends timeout=%d with a limit of %d ms', async (waitSeconds, timeout, timeoutMs) => {
    const { api, sent } = recordingApi();
    await firstValueFrom(api.progress(EXEC_ID, waitSeconds));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'GET', path: `/flows/executions/${EXEC_ID}/progress`, query: { timeout }, timeoutMs });
  });

  it('follows requestTimeoutMs', async () => {
    const { api, sent } = recordingApi(5_000);
    await firstValueFrom(api.progress(EXEC_ID, 30));
    expect(sent[0]!.timeoutMs).toBe(35_000);
  });
});
