import { afterEach, describe, expect, it } from '@jest/globals';
import { restoreGlobals, stubGlobal } from '../helpers/globals';
import crossFetch from 'cross-fetch';
import { defaultFetch } from '../../lib/http/defaultFetch';
import { defaultFetch as browserDefaultFetch } from '../../lib/http/defaultFetch.browser';

describe('the default fetch', () => {
  afterEach(() => restoreGlobals());

  it('is cross-fetch in the Node build', () => {
    expect(defaultFetch).toBe(crossFetch);
  });

  it("is the browser's own fetch in the browser build, looked up at each call", async () => {
    const calls: unknown[][] = [];
    const answer = new Response('{}');
    stubGlobal('fetch', (...args: unknown[]) => (calls.push(args), Promise.resolve(answer)));
    const init = { method: 'GET' };
    await expect(browserDefaultFetch('https://flows.test/x', init)).resolves.toBe(answer);
    expect(calls).toEqual([['https://flows.test/x', init]]);
  });
});
