import { describe, expect, it } from '@jest/globals';
import { endpoints, otherStyle } from '../../lib/api/endpoints';
import { guidSegment, isGuid } from '../../lib/api/ids';
import { SmartFlowsInputError } from '../../lib/errors';
import { EXEC_ID, FLOW_ID } from '../helpers/progress';

describe('isGuid', () => {
  it.each([EXEC_ID, EXEC_ID.toUpperCase(), '00000000-0000-0000-0000-000000000000'])('accepts %s', (id) => {
    expect(isGuid(id)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a path trick', '../x'],
    ['a GUID with a path trick', `${EXEC_ID}/../../admin`],
    ['an empty string', ''],
    ['a number', 123],
    ['a GUID in braces', `{${EXEC_ID}}`],
    ['a GUID without dashes', EXEC_ID.replace(/-/g, '')],
    ['a GUID with a trailing newline', `${EXEC_ID}\n`],
    ['an encoded slash', `${EXEC_ID}%2F`],
    ['undefined', undefined],
  ])('refuses %s', (_, value) => {
    expect(isGuid(value)).toBe(false);
  });
});

describe('guidSegment', () => {
  it('gives a GUID back, URL-encoded', () => {
    expect(guidSegment(EXEC_ID, 'executionId')).toBe(EXEC_ID);
  });

  it.each<[unknown, string]>([
    ['../x', 'executionId must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56, got "../x"'],
    ['', 'executionId must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56, got ""'],
    [123, 'executionId must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56, got number'],
    [null, 'executionId must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56, got object'],
  ])('refuses %j with SmartFlowsInputError', (value, message) => {
    expect(() => guidSegment(value, 'executionId')).toThrow(new SmartFlowsInputError(message));
    expect(() => guidSegment(value, 'executionId')).toThrow(SmartFlowsInputError);
  });

  it('shows at most 60 characters of a bad id', () => {
    expect(() => guidSegment('x'.repeat(500), 'flowId')).toThrow(`got "${'x'.repeat(60)}"`);
  });
});

describe('endpoints', () => {
  it.each([
    ['start', endpoints.start(), '/flows/executions'],
    ['startSkippingInput', endpoints.startSkippingInput(), '/flows/executions/start'],
    ['progress', endpoints.progress(EXEC_ID), `/flows/executions/${EXEC_ID}/progress`],
    ['execution', endpoints.execution(EXEC_ID), `/flows/executions/${EXEC_ID}`],
    ['cancel (SDK)', endpoints.cancel(EXEC_ID, 'sdk'), `/flows/executions/${EXEC_ID}/progress`],
    ['cancel (API guide)', endpoints.cancel(EXEC_ID, 'guide'), `/flows/executions/${EXEC_ID}`],
    ['document', endpoints.document(EXEC_ID), `/documents/${EXEC_ID}`],
    ['document content (SDK)', endpoints.documentContent(EXEC_ID, 'sdk'), `/documents/${EXEC_ID}/content`],
    ['document content (API guide)', endpoints.documentContent(EXEC_ID, 'guide'), `/documents/content/${EXEC_ID}`],
    ['all executions', endpoints.executions(), '/flows/executions'],
    ['executions of one flow', endpoints.executions(FLOW_ID), `/flows/${FLOW_ID}/executions`],
    ['login', endpoints.login(), '/authenticate/login'],
  ])('builds the %s path', (_, path, expected) => {
    expect(path).toBe(expected);
  });

  it.each([
    ['progress', () => endpoints.progress('../../admin')],
    ['execution', () => endpoints.execution('')],
    ['document', () => endpoints.document('a/b')],
    ['executions of one flow', () => endpoints.executions('x')],
  ])('refuses a bad id in the %s path', (_, build) => {
    expect(build).toThrow(SmartFlowsInputError);
  });

  it('switches between the SDK and API guide spellings', () => {
    expect(otherStyle('sdk')).toBe('guide');
    expect(otherStyle('guide')).toBe('sdk');
  });
});
