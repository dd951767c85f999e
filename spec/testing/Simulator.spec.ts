import { describe, it, expect, beforeEach } from '@jest/globals';
import { builtInFlows, createSimulator, createVirtualClock, type Simulator, type VirtualClock } from 'smart-flows-rx/testing';
import { XML, call, progressOf, startFlow } from './support.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN = '00000000-0000-4000-8000-0000000000ff';

let clock: VirtualClock;
let sim: Simulator;
beforeEach(() => {
  clock = createVirtualClock();
  sim = createSimulator({ clock, seed: 1 });
});

describe('POST /flows/executions (start with XML)', () => {
  it('answers a progress object like the seed README, as JSON', async () => {
    const res = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body: '<Letter/>', headers: XML });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toEqual({ id: expect.stringMatching(GUID), percentage: 0, message: 'Generate document', status: 'Running' });
  });

  it('accepts text/xml too', async () => {
    const res = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body: '<a/>', headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['application/json', '{"a":1}'],
    ['text/plain', '<a/>'],
    [undefined, '<a/>'],
  ])('answers 415 for Content-Type %s', async (type, body) => {
    const res = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body, headers: type ? { 'content-type': type } : {} });
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ status: 415, error: 'Unsupported Media Type' });
  });

  it.each([
    ['<a><b></a></b>', 'does not match'],
    ['<a>', 'unclosed'],
    ['', 'no root'],
  ])('answers 400 for malformed XML %j', async (body, reason) => {
    const res = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body, headers: XML });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(reason);
    expect(sim.stats.executionsStarted).toBe(0);
  });

  it('answers 400 when the root element is not the one the flow requires', async () => {
    const wrong = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.invoice.id}`, { body: '<Order/>', headers: XML });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toContain('<Invoice>');
    const right = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.invoice.id}`, { body: '<Invoice/>', headers: XML });
    expect(right.status).toBe(200);
  });

  it('answers 400 for a missing or non-GUID flowId and 404 for an unknown flow', async () => {
    expect((await call(sim, 'POST', '/flows/executions', { body: '<a/>', headers: XML })).status).toBe(400);
    expect((await call(sim, 'POST', '/flows/executions?flowId=nope', { body: '<a/>', headers: XML })).status).toBe(400);
    const unknown = await call(sim, 'POST', `/flows/executions?flowId=${UNKNOWN}`, { body: '<a/>', headers: XML });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ status: 404, error: 'Not Found', path: `/api/v1/flows/executions?flowId=${UNKNOWN}` });
  });

  it('answers 400 for input that is not UTF-8', async () => {
    const res = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { body: new Uint8Array([0x3c, 0x61, 0xff, 0x2f, 0x3e]), headers: XML });
    expect(res.status).toBe(400);
  });
});

describe('POST /flows/executions/start (no input)', () => {
  it('starts without a body and skips user input, using the model defaults', async () => {
    const res = await call(sim, 'POST', `/flows/executions/start?flowId=${builtInFlows.userInput.id}`);
    expect(res.status).toBe(200);
    clock.advance(10_000);
    const done = await progressOf(sim, res.json.id);
    expect(done.json).toMatchObject({ status: 'Success', percentage: 100 });
    expect(done.json.model).toMatchObject({ approved: false, comment: '' });
    const execution = await call(sim, 'GET', `/flows/executions/${res.json.id}`);
    expect(execution.json.state.inputData).toEqual({});
  });
});

describe('GET /flows/executions/{id}/progress', () => {
  it('moves through every stage of a flow to its outcome, changing percentage and message each time', async () => {
    const id = await startFlow(sim, builtInFlows.short.id);
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const { json } = await progressOf(sim, id);
      seen.push([json.status, json.percentage, json.message]);
      clock.advance(200);
    }
    expect(seen).toEqual([
      ['Running', 0, 'Generate document'],
      ['Running', 40, 'Merge data'],
      ['Running', 80, 'Render PDF'],
      ['Success', 100, 'Flow finished'],
    ]);
  });

  it.each([
    ['warning', 'Warning', 100],
    ['error', 'Error', 60],
    ['interrupted', 'Interrupted', 40],
  ] as const)('ends the %s flow in %s at %i %%', async (name, status, percentage) => {
    const id = await startFlow(sim, builtInFlows[name].id);
    clock.advance(60_000);
    const { json } = await progressOf(sim, id);
    expect(json).toMatchObject({ status, percentage });
    expect(json.message).toBe(builtInFlows[name].outcomeMessage);
  });

  it('reports Queued with 0 % while the queued flow waits', async () => {
    const id = await startFlow(sim, builtInFlows.queued.id);
    expect((await progressOf(sim, id)).json).toMatchObject({ status: 'Queued', percentage: 0 });
    clock.advance(2_000);
    expect((await progressOf(sim, id)).json).toMatchObject({ status: 'Running', message: 'Generate document' });
  });

  it('reports Waiting while a stage waits for an external event', async () => {
    const id = await startFlow(sim, builtInFlows.waiting.id);
    clock.advance(200);
    expect((await progressOf(sim, id)).json).toMatchObject({ status: 'Waiting', percentage: 50, message: 'Waiting for e-signature' });
    clock.advance(3_200);
    expect((await progressOf(sim, id)).json.status).toBe('Success');
  });

  it('puts document references in model, nested under block ids, at the end', async () => {
    const id = await startFlow(sim, builtInFlows.multiDocument.id);
    expect((await progressOf(sim, id)).json.model).toBeUndefined();
    clock.advance(10_000);
    const { model } = (await progressOf(sim, id)).json;
    expect(model['block-3f2a'].outputDocument).toEqual({ id: expect.stringMatching(GUID), displayName: 'Contract.pdf', type: 'document' });
    expect(model['block-51bd'].attachments).toEqual([
      { id: expect.stringMatching(GUID), displayName: 'Terms.docx', type: 'document' },
      { id: expect.stringMatching(GUID), displayName: 'Cover letter.pdf', type: 'document' },
    ]);
  });

  it('answers 400 for a non-GUID id, 404 for an unknown one, 400 for a bad timeout', async () => {
    expect((await progressOf(sim, 'abc')).status).toBe(400);
    expect((await progressOf(sim, UNKNOWN)).status).toBe(404);
    const id = await startFlow(sim);
    expect((await progressOf(sim, id, '?timeout=soon')).status).toBe(400);
  });
});

describe('user input', () => {
  it('pauses with schema, model and form, then resumes with the posted values in model', async () => {
    const id = await startFlow(sim, builtInFlows.userInput.id);
    clock.advance(400);
    const paused = (await progressOf(sim, id)).json;
    expect(paused).toMatchObject({ status: 'User input', percentage: 30, model: { approved: false, comment: '' } });
    expect(paused.schema.properties).toHaveProperty('approved');
    expect(paused.form[0].items).toEqual([{ key: 'approved' }, { key: 'comment' }]);
    clock.advance(60_000);
    expect((await progressOf(sim, id)).json.status).toBe('User input');

    const resumed = await call(sim, 'POST', `/flows/executions/${id}/progress`, {
      body: JSON.stringify({ approved: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ status: 'Running', message: 'Render PDF', percentage: 70, model: { approved: true, comment: '' } });
    clock.advance(200);
    const done = (await progressOf(sim, id)).json;
    expect(done.status).toBe('Success');
    expect(done.model).toMatchObject({ approved: true, 'block-9e44': { outputDocument: { type: 'document' } } });
  });

  it('answers 409 when the execution is not waiting, 400 for a non-object body, 415 for a non-JSON type', async () => {
    const id = await startFlow(sim, builtInFlows.userInput.id);
    const json = { 'content-type': 'application/json' };
    expect((await call(sim, 'POST', `/flows/executions/${id}/progress`, { body: '{}', headers: json })).status).toBe(409);
    clock.advance(400);
    expect((await call(sim, 'POST', `/flows/executions/${id}/progress`, { body: '[1]', headers: json })).status).toBe(400);
    expect((await call(sim, 'POST', `/flows/executions/${id}/progress`, { body: 'nope', headers: json })).status).toBe(400);
    expect((await call(sim, 'POST', `/flows/executions/${id}/progress`, { body: '{}', headers: XML })).status).toBe(415);
  });
});

describe('status spellings', () => {
  it.each([
    ['sdk', 'UserInput'],
    ['seed', 'User input'],
    ['guide', 'User Input'],
  ] as const)("writes %s spelling '%s'", async (statusSpelling, expected) => {
    const s = createSimulator({ clock, seed: 1, statusSpelling });
    const id = await startFlow(s, builtInFlows.userInput.id);
    clock.advance(400);
    expect((await progressOf(s, id)).json.status).toBe(expected);
  });

  it('takes a partial map', async () => {
    const s = createSimulator({ clock, statusSpelling: { Error: 'error', Running: 'RUNNING' } });
    const id = await startFlow(s, builtInFlows.error.id);
    expect((await progressOf(s, id)).json.status).toBe('RUNNING');
    clock.advance(10_000);
    expect((await progressOf(s, id)).json.status).toBe('error');
  });
});

describe('GET /flows/executions/{id} (full execution)', () => {
  it('has the documented shape', async () => {
    const id = await startFlow(sim, builtInFlows.short.id, '<Letter><To>Ann</To></Letter>');
    clock.advance(300);
    const running = (await call(sim, 'GET', `/flows/executions/${id}`)).json;
    expect(running.state.stages.at(-1).end).toBeNull();
    clock.advance(1_000);
    const res = await call(sim, 'GET', `/flows/executions/${id}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id,
      createdAt: '2024-01-01T00:00:00.000Z',
      createdBy: { id: expect.stringMatching(GUID), displayName: expect.any(String) },
      modifiedAt: '2024-01-01T00:00:00.600Z',
      modifiedBy: { id: expect.stringMatching(GUID) },
      status: 'Success',
      flow: { id: builtInFlows.short.id, displayName: 'Short letter', type: 'flow' },
      state: {
        inputData: { rootElement: 'Letter', xml: '<Letter><To>Ann</To></Letter>' },
        output: { parts: [{ id: 'part-output', displayName: 'Output', model: { 'block-3f2a': { outputDocument: { type: 'document' } } } }] },
        iterations: 1,
        waitingFor: null,
      },
    });
    expect(res.json.state.stages).toHaveLength(3);
    expect(res.json.state.stages[0]).toEqual({
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-01T00:00:00.200Z',
      input: {},
      lastProgress: { id, percentage: 0, message: 'Generate document', status: 'Running' },
    });
    expect(res.json.state.report).toHaveLength(3);
  });

  it('shows who started it: the logged-in user with a bearer token', async () => {
    const login = await call(sim, 'POST', '/authenticate/login', { anonymous: true, body: JSON.stringify({ username: 'demo', password: 'demo', loginContext: 'native' }) });
    const bearer = { authorization: `Bearer ${login.json.tokens[0].token}` };
    const started = await call(sim, 'POST', `/flows/executions?flowId=${builtInFlows.short.id}`, { anonymous: true, body: '<a/>', headers: { ...XML, ...bearer } });
    const execution = await call(sim, 'GET', `/flows/executions/${started.json.id}`, { anonymous: true, headers: bearer });
    expect(execution.json.createdBy.displayName).toBe('Demo User');
  });
});

describe('cancel', () => {
  it.each(['/progress', ''])('DELETE /flows/executions/{id}%s cancels and answers the progress', async (suffix) => {
    const id = await startFlow(sim, builtInFlows.long.id);
    clock.advance(2_500);
    const res = await call(sim, 'DELETE', `/flows/executions/${id}${suffix}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'Canceled', percentage: 20 });
    clock.advance(60_000);
    expect((await progressOf(sim, id)).json).toMatchObject({ status: 'Canceled', percentage: 20 });
    const execution = (await call(sim, 'GET', `/flows/executions/${id}`)).json;
    expect(execution.status).toBe('Canceled');
    expect(execution.state.stages.at(-1).end).toBe('2024-01-01T00:00:02.500Z');
  });

  it('leaves a finished execution as it is (200, final progress)', async () => {
    const id = await startFlow(sim);
    clock.advance(5_000);
    const res = await call(sim, 'DELETE', `/flows/executions/${id}`);
    expect(res.json.status).toBe('Success');
  });

  it('answers 404 for an unknown execution', async () => {
    expect((await call(sim, 'DELETE', `/flows/executions/${UNKNOWN}/progress`)).status).toBe(404);
  });
});

describe('documents', () => {
  async function finishedDocumentId(): Promise<string> {
    const id = await startFlow(sim, builtInFlows.short.id);
    clock.advance(1_000);
    return (await progressOf(sim, id)).json.model['block-3f2a'].outputDocument.id as string;
  }

  it('GET /documents/{id} answers the metadata', async () => {
    const docId = await finishedDocumentId();
    const res = await call(sim, 'GET', `/documents/${docId}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: docId,
      displayName: 'Letter.pdf',
      contentType: 'application/pdf',
      finished: true,
      expiration: '2024-01-02T00:00:00.600Z',
      type: 'document',
    });
  });

  it.each([(id: string) => `/documents/${id}/content`, (id: string) => `/documents/content/${id}`])(
    'answers the bytes on %s with content type and file name',
    async (path) => {
      const docId = await finishedDocumentId();
      const res = await call(sim, 'GET', path(docId));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toContain('filename="Letter.pdf"');
      expect(res.text.startsWith('%PDF-1.4')).toBe(true);
    },
  );

  it('answers 404 before the flow ends, for unknown ids and after expiration; 400 for non-GUIDs', async () => {
    const id = await startFlow(sim, builtInFlows.short.id);
    clock.advance(1_000);
    const docId = (await progressOf(sim, id)).json.model['block-3f2a'].outputDocument.id as string;
    const early = await startFlow(sim, builtInFlows.multiDocument.id);
    expect((await call(sim, 'GET', `/flows/executions/${early}`)).json.status).toBe('Running');
    expect((await call(sim, 'GET', `/documents/${UNKNOWN}`)).status).toBe(404);
    expect((await call(sim, 'GET', '/documents/xyz/content')).status).toBe(400);
    clock.advance(86_400_000);
    expect((await call(sim, 'GET', `/documents/${docId}`)).status).toBe(404);
  });

  it('encodes non-ASCII file names per RFC 5987', async () => {
    const s = createSimulator({
      clock,
      flows: [{ ...builtInFlows.short, documents: [{ displayName: 'Offerte – März.pdf', contentType: 'application/pdf', bytes: new Uint8Array([1, 2, 3]) }] }],
    });
    const id = await startFlow(s, builtInFlows.short.id);
    clock.advance(1_000);
    const docId = (await progressOf(s, id)).json.model['block-1'].outputDocument.id as string;
    const res = await call(s, 'GET', `/documents/${docId}/content`);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Offerte _ M_rz.pdf"; filename*=UTF-8''Offerte%20%E2%80%93%20M%C3%A4rz.pdf`);
    expect([...(res.raw.body as Uint8Array)]).toEqual([1, 2, 3]);
  });
});

describe('authentication', () => {
  it('answers 401 without a key, with a wrong key or a bad token', async () => {
    const path = `/flows/executions/${UNKNOWN}`;
    expect((await call(sim, 'GET', path, { anonymous: true })).status).toBe(401);
    expect((await call(sim, 'GET', path, { anonymous: true, headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
    const res = await call(sim, 'GET', path, { anonymous: true, headers: { authorization: 'Bearer forged' } });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 401, error: 'Unauthorized' });
  });

  it('logs in for a JWT-shaped token that works as Bearer until it expires', async () => {
    const login = await call(sim, 'POST', '/authenticate/login', { anonymous: true, body: JSON.stringify({ username: 'demo', password: 'demo', loginContext: 'native' }) });
    expect(login.status).toBe(200);
    expect(login.json).toEqual({ tokens: [{ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), scope: 'api', expiresAt: '2024-01-01T01:00:00.000Z' }] });
    const bearer = { authorization: `Bearer ${login.json.tokens[0].token}` };
    expect((await call(sim, 'GET', '/flows/executions', { anonymous: true, headers: bearer })).status).toBe(200);
    clock.advance(3_600_000);
    expect((await call(sim, 'GET', '/flows/executions', { anonymous: true, headers: bearer })).status).toBe(401);
  });

  it('refuses bad credentials (401) and a body that is not a JSON object (400)', async () => {
    const bad = await call(sim, 'POST', '/authenticate/login', { anonymous: true, body: JSON.stringify({ username: 'demo', password: 'x' }) });
    expect(bad.status).toBe(401);
    expect((await call(sim, 'POST', '/authenticate/login', { anonymous: true, body: 'x' })).status).toBe(400);
  });

  it('accepts custom API keys and users', async () => {
    const s = createSimulator({ apiKeys: ['k1', 'k2'], users: [{ username: 'ann', password: 'pw' }] });
    expect(s.apiKey).toBe('k1');
    expect((await call(s, 'GET', '/flows/executions', { anonymous: true, headers: { 'x-api-key': 'k2' } })).status).toBe(200);
    expect((await call(s, 'GET', '/flows/executions')).status).toBe(401);
    const login = await call(s, 'POST', '/authenticate/login', { body: JSON.stringify({ username: 'ann', password: 'pw' }) });
    expect(login.status).toBe(200);
  });
});

describe('unknown routes', () => {
  it('answers 404 for unknown paths and 405 with Allow for a wrong method', async () => {
    expect((await call(sim, 'GET', '/nothing/here')).status).toBe(404);
    const res = await call(sim, 'PUT', `/flows/executions/${UNKNOWN}`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, DELETE');
  });
});

describe('endpointStyle', () => {
  it("serves only the SDK's spellings with 'sdk' and only the guide's with 'guide'", async () => {
    const sdk = createSimulator({ clock, endpointStyle: 'sdk' });
    const guide = createSimulator({ clock, endpointStyle: 'guide' });
    for (const s of [sdk, guide]) await startFlow(s);
    const id = UNKNOWN;
    expect((await call(sdk, 'DELETE', `/flows/executions/${id}/progress`)).status).toBe(404); // served: unknown id
    expect((await call(sdk, 'DELETE', `/flows/executions/${id}`)).status).toBe(405);
    expect((await call(sdk, 'GET', `/documents/content/${id}`)).status).toBe(404);
    expect((await call(sdk, 'GET', `/documents/content/${id}`)).json.message).toContain('No endpoint');
    expect((await call(guide, 'DELETE', `/flows/executions/${id}/progress`)).status).toBe(405);
    expect((await call(guide, 'DELETE', `/flows/executions/${id}`)).json.message).toContain('not found');
    expect((await call(guide, 'GET', `/documents/${id}/content`)).json.message).toContain('No endpoint');
    expect((await call(guide, 'GET', `/documents/content/${id}`)).json.message).toContain('not found');
  });
});

describe('robustness', () => {
  it('answers 500 instead of rejecting when a handler fails (here: a script broken after it was added)', async () => {
    const script = { ...builtInFlows.short, stages: [...builtInFlows.short.stages] };
    const s = createSimulator({ clock, flows: [script] });
    const id = await startFlow(s);
    (script as { stages: unknown }).stages = null;
    const res = await progressOf(s, id);
    expect(res.status).toBe(500);
    expect(res.json.message).toContain('Simulator error');
  });

  it('leaves out request headers that WHATWG refuses instead of failing', async () => {
    const res = await sim.handle({ method: 'GET', url: '/api/v1/flows/executions', headers: { 'x-api-key': 'sim-api-key', 'bad header': 'x' } });
    expect(res.status).toBe(200);
  });
});
