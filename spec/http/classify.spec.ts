import { describe, expect, it } from '@jest/globals';
import { certainlyNotSent, errorCode } from '../../lib/http/classify';

const undici = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('certainlyNotSent', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT'])(
    'is true for %s, found along the cause chain',
    (code) => expect(certainlyNotSent(undici(code))).toBe(true),
  );

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT'])('is false for %s: the request may have arrived', (code) => {
    expect(certainlyNotSent(undici(code))).toBe(false);
  });

  it("is true for Node fetch's refusal of a blocked port (no code, the cause says 'bad port'): nothing left the process", async () => {
    // Port 9 is on the Fetch standard's list of blocked ports: undici refuses it before connecting.
    const error = await fetch('http://127.0.0.1:9/').then(() => undefined, (e: unknown) => e);
    expect(certainlyNotSent(error)).toBe(true);
  });

  it('is false when no code is known', () => {
    expect(certainlyNotSent(new TypeError('Failed to fetch'))).toBe(false);
    expect(certainlyNotSent(undefined)).toBe(false);
  });
});

describe('errorCode', () => {
  it('reads a code on the error itself (node-fetch) or on its cause (undici)', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorCode(undici('ENOTFOUND'))).toBe('ENOTFOUND');
  });

  it('stops on a cause cycle', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(errorCode(a)).toBeUndefined();
  });
});
