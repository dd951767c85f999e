import { describe, expect, it } from '@jest/globals';
import { EMPTY, firstValueFrom, of, throwError } from 'rxjs';
import { authHeaders } from '../../lib/http/auth';
import { isSmartFlowsAuthError, isSmartFlowsInputError, SmartFlowsAuthError, SmartFlowsHttpError } from '../../lib/errors';
import { errorOf } from '../helpers/msw';

describe('authHeaders', () => {
  it('sends an API key as X-API-Key', async () => {
    expect(await firstValueFrom(authHeaders('key-1', undefined))).toEqual({ 'X-API-Key': 'key-1' });
  });

  it.each([
    ['a string', 'tok-1'],
    ['a function giving a string', () => 'tok-1'],
    ['a function giving a Promise', () => Promise.resolve('tok-1')],
    ['a function giving an Observable', () => of('tok-1', 'tok-2')],
  ])('sends a bearer token given as %s', async (_, token) => {
    expect(await firstValueFrom(authHeaders(undefined, token))).toEqual({ Authorization: 'Bearer tok-1' });
  });

  it('asks a token function on each request, and tells it when a fresh token is needed', async () => {
    const asked: boolean[] = [];
    const token = (ctx?: { forceRefresh: boolean }) => (asked.push(ctx?.forceRefresh ?? false), 't');
    const headers$ = authHeaders(undefined, token);
    await firstValueFrom(headers$);
    await firstValueFrom(headers$);
    await firstValueFrom(authHeaders(undefined, token, true));
    expect(asked).toEqual([false, false, true]);
  });

  it.each([
    ['an empty string', () => ''],
    ['a token with a space', () => 'a b'],
    ['a number', () => 42 as unknown as string],
    ['an Observable that completes empty', () => EMPTY],
  ])('refuses %s from a token function with SmartFlowsAuthError (a failure at run time, not a bad argument)', async (_, token) => {
    const error = await errorOf(authHeaders(undefined, token));
    expect(error).toBeInstanceOf(SmartFlowsAuthError);
    expect(isSmartFlowsAuthError(error)).toBe(true);
    expect(isSmartFlowsInputError(error)).toBe(false);
  });

  it.each([
    ['throws', () => { throw new Error('login refused'); }],
    ['rejects', () => Promise.reject(new Error('login refused'))],
    ['errors', () => throwError(() => new Error('login refused'))],
  ])('wraps a token function that %s (an auth server down) in SmartFlowsAuthError, keeping the cause', async (_, token) => {
    const error = await errorOf(authHeaders(undefined, token));
    expect(error).toBeInstanceOf(SmartFlowsAuthError);
    expect(error.name).toBe('SmartFlowsAuthError');
    expect(error.cause).toEqual(new Error('login refused'));
  });

  it('passes on a Smart Flows error the token function raised itself (a refused login), as it is', async () => {
    const refused = new SmartFlowsHttpError({ status: 401, method: 'POST', url: 'https://h/api/v1/authenticate/login', body: '' });
    expect(await errorOf(authHeaders(undefined, () => throwError(() => refused)))).toBe(refused);
  });
});
