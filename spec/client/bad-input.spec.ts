import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { type Observable } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { SmartFlowsInputError } from '../../lib/errors';
import type { SmartFlowsClientOptions } from '../../lib/options';
import { API_KEY, BASE, errorOf, EXEC_ID, FLOW_ID, testClient, useMswServer, valuesOf } from '../helpers/msw';

const { server, requests } = useMswServer();

/** Answers anything, so a request that should not be sent is counted rather than refused by msw. */
const answerEverything = () => server.use(http.all('*', () => HttpResponse.json({ id: EXEC_ID, status: 'Success', percentage: 100 })));

const badIds: [string, unknown][] = [
  ['a path trick', '../x'],
  ['a GUID followed by a path', `${EXEC_ID}/../../admin`],
  ['an empty string', ''],
  ['a number', 123],
  ['undefined', undefined],
  ['a GUID in braces', `{${EXEC_ID}}`],
];

describe('bad input is refused with SmartFlowsInputError before any request', () => {
  describe.each(badIds)('an id that is %s', (_, id) => {
    const calls: [string, (c: SmartFlowsClient) => Observable<unknown>][] = [
      ['run (flowId)', (c) => c.run(id as string, '<a/>')],
      ['startExecution (flowId)', (c) => c.startExecution(id as string, '<a/>')],
      ['watch', (c) => c.watch(id as string)],
      ['getProgress', (c) => c.getProgress(id as string)],
      ['getExecution', (c) => c.getExecution(id as string)],
      ['cancelExecution', (c) => c.cancelExecution(id as string)],
      ['submitUserInput', (c) => c.submitUserInput(id as string, { a: 1 })],
    ];
    it.each(calls)('in %s', async (_, call) => {
      answerEverything();
      const error = await errorOf(call(testClient()));
      expect(error).toBeInstanceOf(SmartFlowsInputError);
      expect(error.message).toMatch(/must be a GUID/);
      expect(requests).toHaveLength(0);
    });
  });

  it.each<[string, Partial<SmartFlowsClientOptions> & Record<string, unknown>]>([
    ['an empty baseUrl', { baseUrl: '' }],
    ['a relative baseUrl', { baseUrl: '/flows' }],
    ['an unparsable baseUrl', { baseUrl: 'https://fl ows:99999' }],
    ['an ftp: baseUrl', { baseUrl: 'ftp://flows.test' }],
    ['a baseUrl with credentials', { baseUrl: 'https://admin:pw@flows.test' }],
    ['neither apiKey nor bearerToken', { apiKey: undefined, bearerToken: undefined }],
    ['a negative intervalMs', { polling: { intervalMs: -1 } }],
    ['a non-numeric intervalMs', { polling: { intervalMs: 'fast' as unknown as number } }],
    ['a negative maxIntervalMs', { polling: { maxIntervalMs: -10 } }],
    ['maxIntervalMs below intervalMs', { polling: { intervalMs: 100, maxIntervalMs: 50 } }],
  ])('in the constructor: %s', (_, overrides) => {
    answerEverything();
    expect(() => new SmartFlowsClient({ baseUrl: BASE, apiKey: API_KEY, ...overrides } as SmartFlowsClientOptions)).toThrow(SmartFlowsInputError);
    expect(requests).toHaveLength(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['a mismatched end tag', '<a></b>', /not well-formed XML/],
    ['an unclosed element', '<Invoice><Nr>1</Nr>', /not well-formed XML/],
    ['two roots', '<a/><b/>', /not well-formed XML/],
    ['text only', 'hello', /not well-formed XML/],
    ['an empty string', '', /not well-formed XML/],
    ['an unescaped ampersand', '<a>R&D</a>', /not well-formed XML/],
    ['an object with a space in an element name', { Invoice: { 'a b': 1 } }, /cannot become XML/],
    ['an object with markup in an element name', { Invoice: { 'x><evil/><y': 1 } }, /cannot become XML/],
    ['an object with an element name starting with a digit', { Invoice: { '1st': 1 } }, /cannot become XML/],
    ['an object with two roots', { a: 1, b: 2 }, /cannot become XML/],
    ['null', null, /must be an XML string or a plain object/],
    ['an array', [{ a: 1 }], /must be an XML string or a plain object/],
    ['a number', 42, /must be an XML string or a plain object/],
  ])('as input: %s', async (_, input, message) => {
    answerEverything();
    for (const call of [(c: SmartFlowsClient) => c.run(FLOW_ID, input as string), (c: SmartFlowsClient) => c.startExecution(FLOW_ID, input as string)]) {
      const error = await errorOf(call(testClient()));
      expect(error).toBeInstanceOf(SmartFlowsInputError);
      expect(error.message).toMatch(message);
    }
    expect(requests).toHaveLength(0);
  });

  it.each<[string, unknown]>([
    ['an onUserInput that is not wait or error', { onUserInput: 'ignore' }],
    ['a string cancelOnUnsubscribe', { cancelOnUnsubscribe: 'yes' }],
    ['a negative timeoutMs', { timeoutMs: -1 }],
    ['a string skipUserInput', { skipUserInput: 'true' }],
  ])('in run options: %s', async (_, options) => {
    answerEverything();
    const error = await errorOf(testClient().run(FLOW_ID, '<a/>', options as object));
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(requests).toHaveLength(0);
  });

  it.each([['null', null], ['an array', [1]], ['a string', 'a=1']])('as user input values: %s', async (_, values) => {
    answerEverything();
    const error = await errorOf(testClient().submitUserInput(EXEC_ID, values as unknown as Record<string, unknown>));
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(requests).toHaveLength(0);
  });

  it('sends a well-formed input object as XML (the check does not refuse good input)', async () => {
    let body = '';
    server.use(
      http.post(`${BASE}/api/v1/flows/executions`, async ({ request }) => {
        body = await request.text();
        return HttpResponse.json({ id: EXEC_ID, status: 'Running', percentage: 0 });
      }),
    );
    await valuesOf(testClient().startExecution(FLOW_ID, { Invoice: { Customer: 'R&D <Ltd>', Line: [{ Nr: 1 }, { Nr: 2 }] } }));
    expect(body).toContain('<Customer>R&amp;D &lt;Ltd&gt;</Customer>');
    expect(body.match(/<Line>/g)).toHaveLength(2);
  });
});
