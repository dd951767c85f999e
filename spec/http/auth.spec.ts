import { describe, expect, it } from '@jest/globals';
import { EMPTY, firstValueFrom, of, throwError } from 'rxjs';
import { authHeaders } from '../../lib/http/auth';
import { SmartFlowsInputError } from '../../lib/errors';
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
  ])('refuses %s from a token function with SmartFlowsInputError', async (_, token) => {
    expect(await errorOf(authHeaders(undefined, token))).toBeInstanceOf(SmartFlowsInputError);
  });

  it.each([
    ['throws', () => { throw new Error('login refused'); }],
    ['rejects', () => Promise.reject(new Error('login refused'))],
    ['errors', () => throwError(() => new Error('login refused'))],
  ])('wraps a token function that %s in SmartFlowsInputError, keeping the cause', async (_, token) => {
    const error = await errorOf(authHeaders(undefined, token));
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(error.cause).toEqual(new Error('login refused'));
  });
});
