import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, of } from 'rxjs';
import { createApi } from '../../lib/api/createApi';
import { NO_HOLD_SECONDS, progressHoldMs, progressTimeoutParam } from '../../lib/api/progressTimeout';
import type { HttpRequest } from '../../lib/http/transport';
import type { Send } from '../../lib/http/send';
import { EXEC_ID } from '../helpers/progress';

/** An API over an http layer that records each request and answers a running progress. */
function recordingApi() {
  const sent: HttpRequest[] = [];
  const send: Send = (build) => {
    sent.push(build());
    return of({ id: EXEC_ID, percentage: 10, message: 'm', status: 'Running' });
  };
  const sendRaw = () => of({ status: 200, headers: new Headers(), url: 'x', body: {} });
  return { api: createApi({ send, sendRaw, sendAnonymous: send }, { endpointStyle: 'sdk' }), sent };
}

describe('the progress call: an explicit timeout on every request, and the hold it asks added to its limit', () => {
  it('sends timeout=1 when no hold is wanted: the one value every server that reads it takes as "at most 1 s"', () => {
    expect(NO_HOLD_SECONDS).toBe(1);
    expect(progressTimeoutParam(0)).toBe(1);
    expect(progressTimeoutParam(30)).toBe(30);
  });

  it('tells the http layer the hold each request asks (added there to requestTimeoutMs)', () => {
    expect(progressHoldMs(0)).toBe(1_000);
    expect(progressHoldMs(30)).toBe(30_000);
  });

  it.each([
    [0, 1, 1_000],
    [30, 30, 30_000],
    [7, 7, 7_000],
  ])('a progress request wanting a %d s hold sends timeout=%d and holdMs %d', async (waitSeconds, timeout, holdMs) => {
    const { api, sent } = recordingApi();
    await firstValueFrom(api.progress(EXEC_ID, waitSeconds));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'GET', path: `/flows/executions/${EXEC_ID}/progress`, query: { timeout }, holdMs });
    expect(sent[0]!.timeoutMs).toBeUndefined();
  });
});
