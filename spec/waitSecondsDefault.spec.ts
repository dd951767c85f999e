import { afterEach, describe, expect, it } from '@jest/globals';
import { restoreGlobals, stubGlobal } from './helpers/globals';
import { inBrowser, normalizeOptions, type SmartFlowsClientOptions } from '../lib/options';

const base: SmartFlowsClientOptions = { baseUrl: 'https://flows.example.com', apiKey: 'key-123' };

describe('polling.waitSeconds: long polling by default in Node, not in a browser', () => {
  afterEach(() => restoreGlobals());

  it("is 'auto' in Node", () => {
    expect(inBrowser()).toBe(false);
    expect(normalizeOptions(base).polling.waitSeconds).toBe('auto');
  });

  it('is 0 in a browser page (a global document): six connections per host on HTTP/1.1', () => {
    stubGlobal('document', {});
    expect(normalizeOptions(base).polling.waitSeconds).toBe(0);
  });

  it('is 0 in a browser worker (WorkerGlobalScope)', () => {
    expect(inBrowser({ WorkerGlobalScope: function WorkerGlobalScope() {} })).toBe(true);
    expect(inBrowser({})).toBe(false);
  });

  it.each<[number | 'auto', number | 'auto']>([['auto', 'auto'], [0, 0], [25, 25]])('keeps %j when given, in a browser too', (value, kept) => {
    stubGlobal('document', {});
    expect(normalizeOptions({ ...base, polling: { waitSeconds: value } }).polling.waitSeconds).toBe(kept);
  });
});
