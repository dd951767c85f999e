import { describe, expect, it, jest } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { ENCODINGS, leaksOf } from '../helpers/secretForms';
import { loadEngine } from '../helpers/marbles';
import { EXEC_ID, PROGRESS_URL, progressBody, testClient, useMswServer } from '../helpers/msw';
import { http, HttpResponse } from 'msw';

// Outside attack 3, item 6: a server echoing the key in progress text. The client's events give
// the server's answer unchanged (the data is the user's), but what the library itself prints
// (the CLI) or stores (the BullMQ processor) goes through `client.redactText`: the one rule its
// errors follow, reachable from the entries that only get a client.

const { server } = useMswServer();
const KEY = 'sk-live+S3cr3t/K3y"01\\23456789';
const TOKEN = 'eyJhbGciOi+JIUzI1NiJ9/eyJzdWIi"OiJhbm4ifQ\\c2lnbmF0dXJl';
const BASE = 'https://flows.example.test';

describe('client.redactText', () => {
  // First in the file: no part of the library that reads server text is loaded yet.
  it('hides the whole text while the redaction is not loaded (no answer read yet): never the secret', () => {
    const client = new SmartFlowsClient({ baseUrl: BASE, apiKey: KEY });
    expect(client.redactText(`stage for ${KEY}`)).toBe('[redacted]');
    expect(client.redactText('')).toBe('');
  });

  it('gives a client without a known secret (a token function not called yet) its text as is, loaded or not', () => {
    const client = new SmartFlowsClient({ baseUrl: BASE, bearerToken: () => TOKEN });
    expect(client.redactText(`stage for ${TOKEN}`)).toBe(`stage for ${TOKEN}`);
  });

  it.each(Object.entries(ENCODINGS))('hides the API key echoed %s, keeps the rest', async (_name, encode) => {
    await loadEngine();
    const client = new SmartFlowsClient({ baseUrl: BASE, apiKey: KEY });
    const text = `stage for ${encode(KEY)} (ok)`;
    const redacted = client.redactText(text);
    expect(leaksOf(redacted, KEY)).toEqual([]);
    expect(redacted).toContain('[redacted]');
    expect(redacted.startsWith('stage for ')).toBe(true);
  });

  it('hides a bearer token given as a string, and one a token function gave', async () => {
    await loadEngine();
    expect(new SmartFlowsClient({ baseUrl: BASE, bearerToken: TOKEN }).redactText(`for ${TOKEN}`)).toBe('for [redacted]');
    const fromFunction = testClient({ apiKey: undefined, bearerToken: () => TOKEN });
    server.use(http.get(PROGRESS_URL, () => HttpResponse.json(progressBody('Running', 10, { message: `stage for ${TOKEN}` }))));
    const progress = await lastValueFrom(fromFunction.getProgress(EXEC_ID));
    // What the caller receives is the server's answer, unchanged (the current policy) …
    expect(progress.message).toBe(`stage for ${TOKEN}`);
    // … and the library's sinks redact what they print or store.
    expect(fromFunction.redactText(progress.message!)).toBe('stage for [redacted]');
  });

  it('redacts once only a listing was read (the listings part carries the redaction, as the engine, documents and login do)', async () => {
    // A module registry of its own: nothing loaded but what this test loads.
    await jest.isolateModulesAsync(async () => {
      const { SmartFlowsClient: Fresh } = await import('../../lib/client');
      const client = new Fresh({ baseUrl: BASE, apiKey: KEY });
      expect(client.redactText(`named ${KEY}`)).toBe('[redacted]');
      server.use(http.get(`${BASE}/api/v1/flows/executions`, () => HttpResponse.json({ content: [], totalElements: 0, totalPages: 0, number: 0, size: 20 })));
      await lastValueFrom(client.listExecutions());
      expect(client.redactText(`named ${KEY}`)).toBe('named [redacted]');
    });
  });

  it('gives a text without a secret back as the same string', async () => {
    await loadEngine();
    const text = 'Generate document 3 of 4';
    expect(new SmartFlowsClient({ baseUrl: BASE, apiKey: KEY }).redactText(text)).toBe(text);
  });
});
