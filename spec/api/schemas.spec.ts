import { describe, expect, it } from '@jest/globals';
import { parseExecution, parseProgress } from '../../lib/api/schemas';
import { SmartFlowsResponseError } from '../../lib/errors';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';

function failure(parse: () => unknown): SmartFlowsResponseError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SmartFlowsResponseError);
    return error as SmartFlowsResponseError;
  }
  throw new Error('expected a SmartFlowsResponseError');
}

describe('parseProgress', () => {
  it('reads the seed example', () => {
    expect(parseProgress({ id: EXEC_ID, percentage: 0, message: 'Generate document', status: 'Running' })).toEqual({
      id: EXEC_ID,
      percentage: 0,
      message: 'Generate document',
      status: 'Running',
      rawStatus: 'Running',
    });
  });

  it('normalizes the status and keeps the server spelling in rawStatus', () => {
    expect(parseProgress({ id: EXEC_ID, status: 'User input' })).toMatchObject({ status: 'UserInput', rawStatus: 'User input' });
    expect(parseProgress({ id: EXEC_ID, status: 'Archived' })).toMatchObject({ status: 'Unknown', rawStatus: 'Archived' });
  });

  it('keeps extra fields and the optional form fields', () => {
    const form = [{ items: [{ key: 'approved' }] }];
    const p = parseProgress({ id: EXEC_ID, status: 'User input', schema: { type: 'object' }, model: { approved: false }, form, currentData: { id: 'x', type: 'document' }, tenant: 't1' });
    expect(p).toMatchObject({ schema: { type: 'object' }, model: { approved: false }, form, currentData: { id: 'x', type: 'document' }, tenant: 't1' });
  });

  it.each<[string, unknown, number]>([
    ['above 100', 140, 100],
    ['below 0', -3, 0],
    ['a numeric string', '42.5', 42.5],
    ['a non-numeric string', 'half', 0],
    ['null', null, 0],
    ['missing', undefined, 0],
  ])('clamps or reads a percentage %s', (_, percentage, expected) => {
    expect(parseProgress({ id: EXEC_ID, status: 'Running', percentage }).percentage).toBe(expected);
  });

  it("a JSON field named __proto__ never becomes the object's prototype", () => {
    const p = parseProgress(JSON.parse(`{"id":"${EXEC_ID}","status":"Running","percentage":5,"__proto__":{"polluted":true}}`));
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect((p as unknown as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('gives every progress the same fields in the same order, whatever its values', () => {
    const keys = (n: number) => Object.keys(parseProgress({ id: `${EXEC_ID.slice(0, -1)}${n}`, status: n % 2 ? 'Running' : 'Queued', percentage: n, message: `m${n}` }));
    expect(keys(1)).toEqual(['id', 'percentage', 'message', 'status', 'rawStatus']);
    expect(keys(2)).toEqual(keys(1));
  });

  it('reads a null or missing message as an empty one', () => {
    expect(parseProgress({ id: EXEC_ID, status: 'Running', message: null }).message).toBe('');
    expect(parseProgress({ id: EXEC_ID, status: 'Running' }).message).toBe('');
  });

  it.each<[string, unknown, (string | number)[]]>([
    ['no status', { id: EXEC_ID, percentage: 3 }, ['status']],
    ['a numeric status', { id: EXEC_ID, status: 3 }, ['status']],
    ['no id', { status: 'Running' }, ['id']],
    ['an empty id', { id: '', status: 'Running' }, ['id']],
    ['a boolean percentage', { id: EXEC_ID, status: 'Running', percentage: true }, ['percentage']],
    ['a numeric message', { id: EXEC_ID, status: 'Running', message: 5 }, ['message']],
  ])('refuses a progress with %s, with zod issues pointing at the field', (_, body, path) => {
    const error = failure(() => parseProgress(body, EXEC_ID));
    expect(error.message).toBe(`The server's answer is not a valid progress object`);
    expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(error.executionId).toBe(EXEC_ID);
  });

  it.each([['null', null], ['an array', []], ['a string', 'Running'], ['a number', 1]])('refuses %s as a progress', (_, body) => {
    expect(failure(() => parseProgress(body)).issues?.length).toBeGreaterThan(0);
  });
});

describe('parseExecution', () => {
  const body = {
    id: EXEC_ID,
    createdAt: '2024-05-01T10:00:00Z',
    createdBy: { id: 'u1', displayName: 'Ann' },
    modifiedAt: '2024-05-01T10:01:00Z',
    status: 'Success',
    flow: { id: FLOW_ID, displayName: 'Invoice', type: 'flow' },
    state: { inputData: '<a/>', output: { parts: [{ id: 'p1' }] }, stages: [{ start: 1, end: 2 }], report: null, iterations: 1, waitingFor: null },
  };

  it('reads the full execution, keeping every field', () => {
    expect(parseExecution(body)).toEqual({ ...body, rawStatus: 'Success' });
  });

  it('normalizes the status', () => {
    expect(parseExecution({ ...body, status: 'Cancelled' })).toMatchObject({ status: 'Canceled', rawStatus: 'Cancelled' });
  });

  it.each<[string, unknown, (string | number)[]]>([
    ['no status', { id: EXEC_ID }, ['status']],
    ['no id', { status: 'Success' }, ['id']],
    ['a flow that is a string', { ...body, flow: 'Invoice' }, ['flow']],
    ['a state that is an array', { ...body, state: [] }, ['state']],
  ])('refuses an execution with %s, with zod issues', (_, bad, path) => {
    const error = failure(() => parseExecution(bad, EXEC_ID));
    expect(error.message).toBe(`The server's answer is not a valid execution`);
    expect(error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(error.executionId).toBe(EXEC_ID);
  });
});
