import { afterAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, type Observable } from 'rxjs';
import { type FetchLike, SmartFlowsClient, SmartFlowsInputError } from 'smart-flows-rx';
import { scanForSecrets, SECRET_API_KEY, SECRET_BEARER_TOKEN } from './support/secrets';
import { recordResults } from './support/results';

// Every case below must be refused with SmartFlowsInputError before any request: the
// transport spy (the client's `fetch`) counts calls across the whole file and must stay at 0.
const sent: string[] = [];
const spyFetch: FetchLike = (url, init) => {
  sent.push(`${init?.method ?? 'GET'} ${url}`);
  return Promise.reject(new Error('the transport spy was called'));
};

const BASE = 'https://flows.example.com';
const FLOW = '5f1a0000-0000-4000-8000-000000000001';
const GUID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
const valid = { baseUrl: BASE, apiKey: SECRET_API_KEY, fetch: spyFetch };
const client = new SmartFlowsClient(valid);
const bearerClient = new SmartFlowsClient({ baseUrl: BASE, bearerToken: SECRET_BEARER_TOKEN, fetch: spyFetch });
// What plain JavaScript callers can pass, whatever the types say.
const js = <T>(value: unknown) => value as T;

const cyclic: Record<string, unknown> = { Name: 'a' };
cyclic.Self = cyclic;
const deep = (n: number): Record<string, unknown> => (n === 0 ? { Leaf: 'x' } : { Level: deep(n - 1) });

/** Constructor options that must be refused. */
const badOptions: [string, unknown][] = [
  ['no options at all', undefined],
  ['options null', null],
  ['options an array', [BASE, SECRET_API_KEY]],
  ['baseUrl missing', { apiKey: SECRET_API_KEY }],
  ['baseUrl empty', { ...valid, baseUrl: '' }],
  ['baseUrl a number', { ...valid, baseUrl: 8443 }],
  ['baseUrl not absolute', { ...valid, baseUrl: 'flows.example.com/api' }],
  ['baseUrl ftp:', { ...valid, baseUrl: 'ftp://flows.example.com' }],
  ['baseUrl javascript:', { ...valid, baseUrl: 'javascript:alert(1)' }],
  ['baseUrl file:', { ...valid, baseUrl: 'file:///etc/passwd' }],
  ['baseUrl with user:password', { ...valid, baseUrl: 'https://admin:hunter2@flows.example.com' }],
  ['baseUrl with a query (a key in the URL)', { ...valid, baseUrl: `${BASE}/?apiKey=${SECRET_API_KEY}` }],
  ['baseUrl with a fragment', { ...valid, baseUrl: `${BASE}/#x` }],
  ['baseUrl plain http:// to a remote host', { ...valid, baseUrl: 'http://flows.example.com' }],
  ['baseUrl plain http:// to a LAN address', { ...valid, baseUrl: 'http://10.0.0.5:8080' }],
  ['neither apiKey nor bearerToken', { baseUrl: BASE, fetch: spyFetch }],
  ['apiKey empty', { ...valid, apiKey: '' }],
  ['apiKey a number', { ...valid, apiKey: 12345 }],
  ['apiKey with CR LF (header injection)', { ...valid, apiKey: 'abc\r\nX-Injected: 1' }],
  ['apiKey with a space', { ...valid, apiKey: 'abc def' }],
  ['apiKey with non-ASCII', { ...valid, apiKey: 'clé-secrète' }],
  ['bearerToken an object', { baseUrl: BASE, bearerToken: { token: 'x' }, fetch: spyFetch }],
  ['bearerToken empty', { baseUrl: BASE, bearerToken: '', fetch: spyFetch }],
  ['bearerToken with a newline', { baseUrl: BASE, bearerToken: 'abc\nX-Injected: 1', fetch: spyFetch }],
  ['fetch not a function', { ...valid, fetch: 'cross-fetch' }],
  ['scheduler without schedule()', { ...valid, scheduler: {} }],
  ['polling a string', { ...valid, polling: 'fast' }],
  ['polling.intervalMs 0 (a request storm)', { ...valid, polling: { intervalMs: 0 } }],
  ['polling.intervalMs negative', { ...valid, polling: { intervalMs: -5 } }],
  ['polling.intervalMs NaN', { ...valid, polling: { intervalMs: Number.NaN } }],
  ['polling.intervalMs a string', { ...valid, polling: { intervalMs: '100' } }],
  ['polling.maxIntervalMs below intervalMs', { ...valid, polling: { intervalMs: 500, maxIntervalMs: 100 } }],
  ['polling.timeoutMs Infinity', { ...valid, polling: { timeoutMs: Number.POSITIVE_INFINITY } }],
  ['polling.waitSeconds fractional', { ...valid, polling: { waitSeconds: 1.5 } }],
  ['polling.pauseWhenHidden a string', { ...valid, polling: { pauseWhenHidden: 'no' } }],
  ['retry an array', { ...valid, retry: [3] }],
  ['retry.maxRetries negative', { ...valid, retry: { maxRetries: -1 } }],
  ['retry.maxRetries fractional', { ...valid, retry: { maxRetries: 2.5 } }],
  ['retry.jitter a string', { ...valid, retry: { jitter: 'yes' } }],
  ['requestTimeoutMs 0', { ...valid, requestTimeoutMs: 0 }],
  ['endpointStyle unknown', { ...valid, endpointStyle: 'v2' }],
];

/** Calls whose arguments must be refused (as the stream's error, or thrown). */
const badCalls: [string, () => Observable<unknown>][] = [
  ['run: flowId not a GUID', () => client.run('invoice-flow', '<Invoice/>')],
  ['run: flowId a path traversal', () => client.run('../../admin/users', '<Invoice/>')],
  ['run: flowId empty', () => client.run('', '<Invoice/>')],
  ['run: flowId a number', () => client.run(js(42), '<Invoice/>')],
  ['run: flowId with a query', () => client.run(`${FLOW}?flowId=other`, '<Invoice/>')],
  ['run: flowId with a trailing newline', () => client.run(`${FLOW}\n`, '<Invoice/>')],
  ['watch: id with a path segment', () => client.watch(`${GUID}/../../x`)],
  ['watch: id undefined', () => client.watch(js(undefined))],
  ['getProgress: id with a query', () => client.getProgress(`${GUID}?timeout=-1`)],
  ['getExecution: id null', () => client.getExecution(js(null))],
  ['cancelExecution: id percent-encoded dots', () => client.cancelExecution('%2e%2e%2f%2e%2e')],
  ['getDocument: id with a leading space', () => client.getDocument(` ${GUID}`)],
  ['downloadDocument: id an object', () => client.downloadDocument(js({ id: GUID }))],
  ['submitUserInput: values null', () => client.submitUserInput(GUID, js(null))],
  ['submitUserInput: values an array', () => client.submitUserInput(GUID, js(['a', 'b']))],
  ['submitUserInput: bad id', () => client.submitUserInput('nope', { approved: true })],
  ['XML: unclosed element', () => client.run(FLOW, '<Invoice><Customer>ACME</Invoice>')],
  ['XML: plain text', () => client.run(FLOW, 'Customer=ACME')],
  ['XML: two root elements', () => client.run(FLOW, '<a/><b/>')],
  ['XML: a DOCTYPE with an external entity (XXE)', () => client.run(FLOW, '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')],
  ['XML: an undeclared entity', () => client.run(FLOW, '<a>&secret;</a>')],
  ['XML: a NUL character', () => client.run(FLOW, '<a>\u0000</a>')],
  ['XML: an empty string', () => client.run(FLOW, '')],
  ['XML: over 10 MB', () => client.run(FLOW, `<a>${'x'.repeat(10 * 1024 * 1024)}</a>`)],
  ['object: element name with a space', () => client.run(FLOW, { 'Invoice Data': { Total: 1 } })],
  ['object: element name with markup', () => client.run(FLOW, { Invoice: { '<script>alert(1)</script>': 1 } })],
  ['object: element name closing a tag', () => client.run(FLOW, { Invoice: { 'a></Invoice><Evil': 1 } })],
  ['object: element name starting with a digit', () => client.run(FLOW, { Invoice: { '1stLine': 'x' } })],
  ['object: element name with a quote', () => client.run(FLOW, { Invoice: { 'a"b': 'x' } })],
  ['object: attribute name with markup', () => client.run(FLOW, { Invoice: { '@a="1" b': 'x' } })],
  ['object: several roots', () => client.run(FLOW, { Invoice: {}, Letter: {} })],
  ['object: a cycle', () => client.run(FLOW, cyclic)],
  ['object: a function value', () => client.run(FLOW, { Invoice: { total: () => 1 } })],
  ['object: a symbol value', () => client.run(FLOW, { Invoice: { total: Symbol('x') } })],
  ['object: a NaN value', () => client.run(FLOW, { Invoice: { total: Number.NaN } })],
  ['object: nesting 500 deep', () => client.run(FLOW, deep(500))],
  ['object: over 10 MB of text', () => client.run(FLOW, { Invoice: { Notes: 'x'.repeat(11 * 1024 * 1024) } })],
  ['object: text with a control character', () => client.run(FLOW, { Invoice: { Note: 'a\u0001b' } })],
  ['input: an array', () => client.run(FLOW, js([1, 2, 3]))],
  ['input: a number', () => client.run(FLOW, js(42))],
  ['input: null', () => client.run(FLOW, js(null))],
  ['input: a Map', () => client.run(FLOW, js(new Map([['Invoice', 1]])))],
  ['input: a class instance', () => client.run(FLOW, js(new (class Invoice { total = 1; })()))],
  ['run options: onUserInput unknown', () => client.run(FLOW, '<a/>', js({ onUserInput: 'ignore' }))],
  ['run options: cancelOnUnsubscribe a string', () => client.run(FLOW, '<a/>', js({ cancelOnUnsubscribe: 'yes' }))],
  ['run options: timeoutMs negative', () => client.run(FLOW, '<a/>', { timeoutMs: -1 })],
  ['run options: null', () => client.run(FLOW, '<a/>', js(null))],
  ['startExecution: skipUserInput a string', () => client.startExecution(FLOW, '<a/>', js({ skipUserInput: 'true' }))],
  ['runBatch: jobs not an array', () => client.runBatch(js({ flowId: FLOW }))],
  ['runBatch: a job with a bad flowId', () => client.runBatch([{ flowId: FLOW }, { flowId: 'bad' }])],
  ['runBatch: duplicate keys', () => client.runBatch([{ flowId: FLOW, key: 'a' }, { flowId: FLOW, key: 'a' }])],
  ['runBatch: concurrency 0', () => client.runBatch([{ flowId: FLOW }], { concurrency: 0 })],
  ['listExecutions: page negative', () => client.listExecutions({ page: -1 })],
  ['listExecutions: size 0', () => client.listExecutions({ size: 0 })],
  ['listExecutions: size 1,000,000', () => client.listExecutions({ size: 1_000_000 })],
  ['listExecutions: flowId not a GUID', () => client.listExecutions({ flowId: '../x' })],
  ['login: credentials missing', () => bearerClient.login(js(undefined))],
  ['login: password a number', () => bearerClient.login(js({ username: 'ada', password: 1234 }))],
];

const refused: string[] = [];

afterAll(() => {
  recordResults('test', 'badInput', { cases: badOptions.length + 1 + badCalls.length, refused: refused.length, requestsSent: sent.length });
});

describe('bad input refused before any request', () => {
  it.each(badOptions)('new SmartFlowsClient refuses %s', (_name, options) => {
    let error: unknown;
    try {
      new SmartFlowsClient(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(scanForSecrets(error)).toEqual([]);
    expect(sent).toEqual([]);
    refused.push(_name);
  });

  it('SmartFlowsClient.withLogin refuses a bearerToken next to credentials', () => {
    expect(() => SmartFlowsClient.withLogin(js({ ...valid, bearerToken: SECRET_BEARER_TOKEN }), { username: 'ada', password: 'pw' })).toThrow(SmartFlowsInputError);
    refused.push('withLogin with a bearerToken');
  });

  it.each(badCalls)('%s', async (_name, call) => {
    let error: unknown;
    try {
      await firstValueFrom(call());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmartFlowsInputError);
    expect(scanForSecrets(error)).toEqual([]);
    // Nothing was sent, not even later (a refused stream has no timer left to send from).
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([]);
    refused.push(_name);
  });

  it('refuses at least 40 cases in all, with zero requests', () => {
    expect(refused.length).toBeGreaterThanOrEqual(40);
    expect(sent).toEqual([]);
  });
});
