import { describe, expect, it } from '@jest/globals';
import * as errors from '../lib/errors';
import {
  FlowExecutionError,
  SmartFlowsAuthError,
  SmartFlowsError,
  SmartFlowsHttpError,
  SmartFlowsInputError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
  redactError,
  withErrorContext,
} from '../lib/errors';
import { attachExecutionId } from '../lib/internal/attachExecutionId';
import { EXEC_ID, progress } from './helpers/progress';

const URL = `https://flows.test/api/v1/flows/executions/${EXEC_ID}/progress?timeout=5`;
const cause = new TypeError('socket hang up');

const samples: [string, () => SmartFlowsError, keyof typeof errors][] = [
  ['SmartFlowsError', () => new SmartFlowsError('base', { cause }), 'isSmartFlowsError'],
  ['SmartFlowsInputError', () => new SmartFlowsInputError('bad', { cause, issues: [{ path: ['x'] }] }), 'isSmartFlowsInputError'],
  ['SmartFlowsAuthError', () => new SmartFlowsAuthError('bearerToken function failed to give a token', { cause }), 'isSmartFlowsAuthError'],
  ['SmartFlowsHttpError', () => new SmartFlowsHttpError({ status: 503, method: 'GET', url: URL, body: 'busy' }, { cause }), 'isSmartFlowsHttpError'],
  ['SmartFlowsNetworkError', () => new SmartFlowsNetworkError({ method: 'GET', url: URL, maybeReceived: true, detail: 'ECONNRESET' }, { cause }), 'isSmartFlowsNetworkError'],
  ['SmartFlowsResponseError', () => new SmartFlowsResponseError('not JSON', { cause, retryable: true }), 'isSmartFlowsResponseError'],
  ['SmartFlowsTimeoutError', () => new SmartFlowsTimeoutError('late', 100, { cause }), 'isSmartFlowsTimeoutError'],
  ['FlowExecutionError', () => new FlowExecutionError(progress('Error', 40, 'template missing')), 'isFlowExecutionError'],
];

describe('error classes', () => {
  it.each(samples)('%s is a real Error and a SmartFlowsError with its own name', (name, make) => {
    const error = make();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SmartFlowsError);
    expect(error.name).toBe(name);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
    expect(error.stack).toContain(name);
  });

  it.each(samples.filter(([name]) => name !== 'FlowExecutionError'))('%s keeps the underlying failure in the standard cause', (_, make) => {
    expect(make().cause).toBe(cause);
  });

  it('leaves cause undefined (not an own property) when there is none', () => {
    expect(Object.hasOwn(new SmartFlowsError('x'), 'cause')).toBe(false);
  });

  it('carries the executionId it was given', () => {
    expect(new SmartFlowsResponseError('x', { executionId: EXEC_ID }).executionId).toBe(EXEC_ID);
  });

  it('writes HTTP errors as "Request failed with status N: METHOD path?query"', () => {
    const error = new SmartFlowsHttpError({ status: 503, method: 'GET', url: URL, body: 'busy', retryAfterMs: 2000 });
    expect(error.message).toBe(`Request failed with status 503: GET /api/v1/flows/executions/${EXEC_ID}/progress?timeout=5`);
    expect(error).toMatchObject({ status: 503, method: 'GET', url: URL, body: 'busy', retryAfterMs: 2000 });
  });

  it('names the network failure in the message when it is known', () => {
    const error = new SmartFlowsNetworkError({ method: 'POST', url: URL, maybeReceived: false, detail: 'ECONNREFUSED' });
    expect(error.message).toBe(`Network error (ECONNREFUSED): POST /api/v1/flows/executions/${EXEC_ID}/progress?timeout=5`);
    expect(error.maybeReceived).toBe(false);
  });

  it('gives FlowExecutionError the status, progress and executionId, and the message of the flow', () => {
    const p = progress('Interrupted', 70, 'ran too long');
    const execution = { id: EXEC_ID, status: 'Interrupted' as const, rawStatus: 'Interrupted' };
    const error = new FlowExecutionError(p, execution);
    expect(error).toMatchObject({ status: 'Interrupted', progress: p, execution, executionId: EXEC_ID });
    expect(error.message).toBe(`Flow execution ${EXEC_ID} ended with status Interrupted: ran too long`);
  });

  it('serializes to JSON with name, message and fields, without cause, progress or execution', () => {
    const error = new SmartFlowsHttpError({ status: 404, method: 'GET', url: URL, body: 'nope' }, { cause, executionId: EXEC_ID });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SmartFlowsHttpError',
      message: error.message,
      status: 404,
      method: 'GET',
      url: URL,
      body: 'nope',
      executionId: EXEC_ID,
    });
    const flow = JSON.parse(JSON.stringify(new FlowExecutionError(progress('Error', 1, 'x'))));
    expect(Object.keys(flow).sort()).toEqual(['executionId', 'message', 'name', 'status']);
  });

  it('exposes zod-style issues as given', () => {
    const issues = [{ code: 'invalid_type', path: ['status'], message: 'expected string' }];
    expect(new SmartFlowsResponseError('x', { issues }).issues).toBe(issues);
    expect(new SmartFlowsInputError('x', { issues }).issues).toBe(issues);
  });
});

describe('errors with more context (an executionId, executionMayExist) are new errors', () => {
  const OTHER = '11111111-2222-4333-8444-555555555555';
  const fields = (e: object) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'executionId' && k !== 'executionMayExist'));

  it.each(samples.filter(([name]) => name !== 'FlowExecutionError'))('%s: same class, name, guard, fields and cause; the original unchanged', (_, make, guard) => {
    const original = make();
    const before = { ...original, message: original.message, stack: original.stack };
    const withId = attachExecutionId(original, EXEC_ID);
    expect(withId).not.toBe(original);
    expect(withId.constructor).toBe(original.constructor);
    expect((errors[guard] as (e: unknown) => boolean)(withId)).toBe(true);
    expect(withId).toMatchObject({ name: original.name, message: original.message, executionId: EXEC_ID });
    expect(fields(withId)).toEqual(fields(original));
    expect(withId.cause).toBe(cause);
    expect({ ...original, message: original.message, stack: original.stack }).toEqual(before);
    expect(original.executionId).toBeUndefined();
    expect(String(withId.stack).split('\n')[0]).toBe(`${original.name}: ${original.message}`);
  });

  it('keeps an executionId already there (the error is given back as it is)', () => {
    const error = new SmartFlowsResponseError('x', { executionId: OTHER });
    expect(attachExecutionId(error, EXEC_ID)).toBe(error);
    const flow = new FlowExecutionError(progress('Error', 1, 'x'));
    expect(attachExecutionId(flow, OTHER)).toBe(flow);
  });

  it('builds executionMayExist and its note into the message at construction, once', () => {
    const original = new SmartFlowsTimeoutError('Request timed out after 10 ms: POST /api/v1/flows/executions', 10, { cause });
    const marked = withErrorContext(original, { executionMayExist: true });
    expect(marked).toBeInstanceOf(SmartFlowsTimeoutError);
    expect(marked).toMatchObject({ executionMayExist: true, timeoutMs: 10 });
    expect(marked.message).toBe(`${original.message} (the request may have reached the server: an execution may exist; see listExecutions)`);
    expect(String(marked.stack).split('\n')[0]).toBe(`SmartFlowsTimeoutError: ${marked.message}`);
    expect(original.executionMayExist).toBeUndefined();
    const both = withErrorContext(marked, { executionId: EXEC_ID });
    expect(both.message).toBe(marked.message);
    expect(both).toMatchObject({ executionMayExist: true, executionId: EXEC_ID });
  });

  it('wraps a foreign error as the cause of a SmartFlowsError with the id', () => {
    const foreign = new RangeError('boom');
    const error = attachExecutionId(foreign, EXEC_ID);
    expect(error).toMatchObject({ name: 'SmartFlowsError', executionId: EXEC_ID, message: 'Unexpected failure: boom' });
    expect(error.cause).toBe(foreign);
  });

  it('gives back a subclass it cannot build again unchanged, rather than change its class', () => {
    class ElsewhereError extends SmartFlowsError {
      override name = 'SmartFlowsElsewhereError';
    }
    const error = new ElsewhereError('x');
    expect(attachExecutionId(error, EXEC_ID)).toBe(error);
  });

  it('declares executionId and executionMayExist read-only to TypeScript', () => {
    const error = new SmartFlowsError('x');
    // @ts-expect-error -- errors are never changed after creation
    error.executionId = EXEC_ID;
    // @ts-expect-error -- likewise
    error.executionMayExist = true;
    expect(error).toBeInstanceOf(SmartFlowsError);
  });
});

describe('redactError: the same error with what the server echoed of a secret hidden', () => {
  const hide = (text: string) => text.split('S3CR3T').join('[redacted]');

  it('gives the error itself when nothing is hidden', () => {
    const error = new SmartFlowsHttpError({ status: 500, method: 'GET', url: URL, body: 'boom' }, { executionId: EXEC_ID });
    expect(redactError(error, hide)).toBe(error);
    expect(redactError('not an error', hide)).toBe('not an error');
  });

  it('builds an HTTP error again with its body hidden, keeping class, fields, context and cause', () => {
    const error = new SmartFlowsHttpError({ status: 401, method: 'POST', url: URL, body: 'bad key S3CR3T', retryAfterMs: 5 }, { cause, executionId: EXEC_ID, executionMayExist: true });
    const hidden = redactError(error, hide);
    expect(hidden).not.toBe(error);
    expect(hidden).toBeInstanceOf(SmartFlowsHttpError);
    expect(hidden).toMatchObject({ status: 401, method: 'POST', url: URL, body: 'bad key [redacted]', retryAfterMs: 5, executionId: EXEC_ID, executionMayExist: true, message: error.message });
    expect(hidden.cause).toBe(cause);
    expect(error.body).toBe('bad key S3CR3T');
  });

  it('hides a failed flow\'s message, progress and execution', () => {
    const failed = progress('Error', 100, 'login S3CR3T refused');
    const error = new FlowExecutionError(failed, { id: EXEC_ID, status: 'Error', rawStatus: 'Error', state: { report: [{ message: 'S3CR3T' }] } } as never);
    const hidden = redactError(error, hide);
    expect(hidden.message).toContain('login [redacted] refused');
    expect(JSON.stringify([hidden.progress, hidden.execution])).not.toContain('S3CR3T');
    expect(hidden).toMatchObject({ name: 'FlowExecutionError', executionId: EXEC_ID, status: 'Error' });
  });

  it('hides a message that quotes server text (another execution\'s id)', () => {
    const error = new SmartFlowsResponseError('The server answered with the progress of another execution (S3CR3T)', { executionId: EXEC_ID, retryable: true });
    expect(redactError(error, hide)).toMatchObject({ message: 'The server answered with the progress of another execution ([redacted])', retryable: true, executionId: EXEC_ID });
  });
});

describe('guards', () => {
  const guards = samples.map(([, , guard]) => guard).filter((g) => g !== 'isSmartFlowsError');

  it.each(samples)('%s passes its own guard and isSmartFlowsError', (_, make, guard) => {
    const error = make();
    expect((errors[guard] as (e: unknown) => boolean)(error)).toBe(true);
    expect(errors.isSmartFlowsError(error)).toBe(true);
  });

  it.each(samples.filter(([name]) => name !== 'SmartFlowsError'))('%s fails the other specific guards', (_, make, own) => {
    const error = make();
    for (const guard of guards.filter((g) => g !== own)) expect((errors[guard] as (e: unknown) => boolean)(error)).toBe(false);
  });

  it.each(samples)('recognizes a %s from another realm or package copy by its name', (name, _, guard) => {
    // What an error from an iframe, a worker or a duplicated copy of the package looks like here.
    const foreign = Object.assign(Object.create(null), { name, message: 'elsewhere' });
    expect((errors[guard] as (e: unknown) => boolean)(foreign)).toBe(true);
    expect(errors.isSmartFlowsError(foreign)).toBe(true);
    const plain = { name, message: 'elsewhere' };
    expect(errors.isSmartFlowsError(plain)).toBe(true);
  });

  it.each([undefined, null, 'SmartFlowsError', 42, new Error('x'), new TypeError('x'), { name: 'SmartFlowsErrorish' }, { name: Symbol('x') }])(
    'rejects %p',
    (value) => {
      expect(errors.isSmartFlowsError(value)).toBe(false);
      for (const guard of guards) expect((errors[guard] as (e: unknown) => boolean)(value)).toBe(false);
    },
  );
});

describe('SmartFlowsAbortError', () => {
  const reason = new DOMException('signal timed out', 'TimeoutError');

  it("is named 'AbortError' (as fetch's and Node's aborts), keeps the reason as cause and reason, and says which execution", () => {
    const error = new errors.SmartFlowsAbortError(reason, { executionId: EXEC_ID });
    expect(error).toBeInstanceOf(SmartFlowsError);
    expect(error).toMatchObject({ name: 'AbortError', cause: reason, reason, executionId: EXEC_ID });
    expect(error.message).toBe(`The signal aborted the stream of execution ${EXEC_ID} (it runs on unless canceled: watch it again with its executionId): TimeoutError`);
    // The reason is the caller's object: left out of the plain form, as `cause` is.
    expect(error.toJSON()).toEqual({ name: 'AbortError', message: error.message, executionId: EXEC_ID });
  });

  it('passes its guard and isSmartFlowsError, also from another package copy (by its mark); other AbortErrors do not', () => {
    const error = new errors.SmartFlowsAbortError(reason);
    expect(errors.isSmartFlowsAbortError(error) && errors.isSmartFlowsError(error)).toBe(true);
    const copy = Object.assign(Object.create(null), { name: 'AbortError', message: 'x', [Symbol.for('smart-flows-rx.abort')]: true });
    expect(errors.isSmartFlowsAbortError(copy) && errors.isSmartFlowsError(copy)).toBe(true);
    const fetchAbort = new DOMException('This operation was aborted', 'AbortError');
    expect(errors.isSmartFlowsAbortError(fetchAbort) || errors.isSmartFlowsError(fetchAbort)).toBe(false);
    for (const guard of ['isSmartFlowsTimeoutError', 'isSmartFlowsNetworkError', 'isFlowExecutionError'] as const) expect(errors[guard](error)).toBe(false);
  });

  it('is built again with an executionId added (attachExecutionId), the reason kept', () => {
    const added = attachExecutionId(new errors.SmartFlowsAbortError(reason, { executionMayExist: true }), EXEC_ID);
    expect(added).toBeInstanceOf(errors.SmartFlowsAbortError);
    expect(added).toMatchObject({ executionId: EXEC_ID, executionMayExist: true, reason, cause: reason });
  });
});

describe('SmartFlowsAbortError with a reason that cannot be read (attack 6, M1)', () => {
  const hostile: [string, () => unknown][] = [
    ['a name getter that throws', () => ({ get name(): string { throw new Error('name boom'); } })],
    ['a revoked Proxy', () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; }],
    ['a Proxy whose every trap throws', () => new Proxy({}, { get: () => { throw new Error('get boom'); }, has: () => { throw new Error('has boom'); }, getPrototypeOf: () => { throw new Error('proto boom'); } })],
  ];
  it.each(hostile)('%s: built all the same, in AbortError wording, the reason kept as cause', (_name, make) => {
    const reason = make();
    const error = new errors.SmartFlowsAbortError(reason, { executionId: EXEC_ID });
    expect(error.name).toBe('AbortError');
    expect(error.message).toBe(`The signal aborted the stream of execution ${EXEC_ID} (it runs on unless canceled: watch it again with its executionId)`);
    expect(error.cause).toBe(reason);
    expect(errors.isSmartFlowsAbortError(error)).toBe(true);
    // Built again with more context (the remaker reads the reason once more).
    expect(attachExecutionId(new errors.SmartFlowsAbortError(reason, { executionMayExist: true }), EXEC_ID).cause).toBe(reason);
  });
});

describe('SmartFlowsTimeoutError.lastProgress', () => {
  it('is redacted with the rest of the error (the message is server text)', () => {
    const error = new SmartFlowsTimeoutError('late', 100, { executionId: EXEC_ID, lastProgress: { status: 'Running', percentage: 40, message: 'key S3CR3T' } });
    const redacted = redactError(error, (text) => text.replaceAll('S3CR3T', '[redacted]'));
    expect(redacted.lastProgress).toEqual({ status: 'Running', percentage: 40, message: 'key [redacted]' });
    expect(withErrorContext(error, { executionMayExist: true }).lastProgress).toEqual(error.lastProgress);
  });
});

describe('FlowExecutionError carries the execution without the input it was given', () => {
  it('drops state.inputData (an error is logged whole and published on the run channel), keeps the rest', () => {
    const xml = '<Letter><Secret>customer 4711</Secret></Letter>';
    const execution = { id: EXEC_ID, status: 'Error', rawStatus: 'Error', state: { inputData: { rootElement: 'Letter', xml }, report: { errors: ['boom'] }, stages: [] } } as const;
    const error = new FlowExecutionError(progress('Error', 100), execution as never);
    // Before the fix (outside attack on issue 27): the channel's context.error held the XML at
    // error.execution.state.inputData.xml.
    expect(JSON.stringify(error.execution)).not.toContain('customer 4711');
    expect(error.execution).toEqual({ id: EXEC_ID, status: 'Error', rawStatus: 'Error', state: { report: { errors: ['boom'] }, stages: [] } });
    // The caller's own object is not changed.
    expect(execution.state.inputData.xml).toBe(xml);
  });
});
