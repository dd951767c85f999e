import { describe, expect, it } from '@jest/globals';
import { isPlainProgress, parseExecution, parseProgress, progressSchema } from '../../lib/api/schemas';
import { seededRandom } from '../../lib/testing/index';
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
    // Nor of an object the app copies it into.
    expect(Object.keys(p)).not.toContain('__proto__');
    expect((Object.assign({}, p) as { polluted?: boolean }).polluted).toBeUndefined();
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

describe('parseProgress without zod on the usual answer', () => {
  // Values each field may take: what the schema takes, and what it refuses.
  const VALUES = ['', 'x', EXEC_ID, 'Running', 'User input', 'SUCCESS', 0, 42.5, -3, 140, '42', 'half', null, undefined, true, [], {}, Infinity, NaN, -0];
  const EXTRAS = ['modifiedAt', 'schema', 'form', '__proto__', 'constructor', 'tenant'];

  function generate(random: () => number): unknown {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    if (random() < 0.05) return pick([null, [], 'Running', 1, undefined]);
    const pairs: [string, unknown][] = [];
    for (const key of ['id', 'status', 'percentage', 'message']) {
      const r = random();
      // Mostly the usual shape, sometimes any value, sometimes absent.
      if (r < 0.6) pairs.push([key, key === 'id' ? EXEC_ID : key === 'status' ? pick(['Running', 'Queued', 'User input']) : key === 'percentage' ? pick([0, 40, '55']) : pick(['Render', null])]);
      else if (r < 0.9) pairs.push([key, pick(VALUES)]);
    }
    for (const key of EXTRAS) if (random() < 0.3) pairs.push([key, pick(VALUES)]);
    // Keys in a random order, as JSON gives them (a `__proto__` key stays an own field).
    pairs.sort(() => random() - 0.5);
    return JSON.parse(`{${pairs.filter(([, v]) => v !== undefined && typeof v !== 'number' || Number.isFinite(v)).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown;
  }

  it('takes only what the schema takes, and gives what it would give (2,000 seeded bodies)', () => {
    const random = seededRandom(20261202);
    let plain = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const body = generate(random);
      const checked = progressSchema.safeParse(body);
      if (isPlainProgress(body)) {
        plain++;
        expect({ body, success: checked.success }).toEqual({ body, success: true });
        // The same progress, fields in the same order, as from zod's output.
        const direct = parseProgress(body);
        const viaZod = parseProgress(checked.data);
        expect(Object.entries(direct)).toEqual(Object.entries(viaZod));
      } else if (!checked.success) {
        refused++;
        expect(() => parseProgress(body)).toThrow(SmartFlowsResponseError);
      }
    }
    // Both ways were taken, many times.
    expect(plain).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it.each<[string, unknown]>([
    ['an infinite percentage', { id: EXEC_ID, status: 'Running', percentage: Infinity }],
    ['a NaN percentage', { id: EXEC_ID, status: 'Running', percentage: Number.NaN }],
    ['an array', [EXEC_ID]],
  ])('leaves %s to zod, which refuses it', (_, body) => {
    expect(isPlainProgress(body)).toBe(false);
    expect(progressSchema.safeParse(body).success).toBe(false);
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
