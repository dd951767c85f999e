import { afterEach, describe, expect, it } from '@jest/globals';
import { restoreGlobals, stubGlobal } from '../helpers/globals';
import crossFetch from 'cross-fetch';
import { defaultFetch, RUNTIME_FETCH_FROM_NODE_MAJOR, selectDefaultFetch } from '../../lib/http/defaultFetch';
import { defaultFetch as browserDefaultFetch } from '../../lib/http/defaultFetch.browser';

describe('the default fetch', () => {
  afterEach(() => restoreGlobals());

  it.each(['20.20.2', '22.23.5'])('is cross-fetch in the Node build on Node %s', (version) => {
    expect(selectDefaultFetch(version, true)).toBe(crossFetch);
  });

  it.each(['24.22.3', '26.12.1'])("is the runtime's own fetch on Node %s, looked up at each call", async (version) => {
    const selected = selectDefaultFetch(version, true);
    expect(selected).not.toBe(crossFetch);
    const calls: unknown[][] = [];
    const answer = new Response('{}');
    stubGlobal('fetch', (...args: unknown[]) => (calls.push(args), Promise.resolve(answer)));
    const init = { method: 'GET' };
    await expect(selected('https://flows.test/x', init)).resolves.toBe(answer);
    expect(calls).toEqual([['https://flows.test/x', init]]);
  });

  it('is cross-fetch where there is no global fetch or no Node version', () => {
    expect(selectDefaultFetch('24.22.3', false)).toBe(crossFetch);
    expect(selectDefaultFetch(undefined, true)).toBe(crossFetch);
  });

  it('follows the Node version this suite runs on', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= RUNTIME_FETCH_FROM_NODE_MAJOR) expect(defaultFetch).not.toBe(crossFetch);
    else expect(defaultFetch).toBe(crossFetch);
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
