import { describe, it, expect } from '@jest/globals';
import { builtInFlows, createSimulator, type FlowScript } from 'smart-flows-rx/testing';

const base = builtInFlows.short;

describe('validateFlowScript (through createSimulator and addFlow)', () => {
  it('accepts every built-in flow', () => {
    expect(() => createSimulator({ flows: Object.values(builtInFlows) })).not.toThrow();
  });

  it.each<[string, Partial<FlowScript>, string]>([
    ['a non-GUID id', { id: 'short' }, 'not a GUID'],
    ['an unknown outcome', { outcome: 'Done' as never }, 'outcome'],
    ['a negative duration', { stages: [{ message: 'x', percentage: 0, durationMs: -1 }] }, 'durationMs'],
    ['a percentage above 100', { stages: [{ message: 'x', percentage: 120, durationMs: 1 }] }, 'percentage'],
    ['a pause after a stage that does not exist', { userInput: { afterStage: 9, schema: {}, model: {}, form: [] } }, 'afterStage'],
    ['a document with a bad id', { documents: [{ id: 'x', displayName: 'a', contentType: 'b', bytes: '' }] }, 'documents[0].id'],
  ])('refuses %s', (_, change, message) => {
    expect(() => createSimulator({ flows: [{ ...base, ...change }] })).toThrow(message);
    expect(() => createSimulator().addFlow({ ...base, ...change })).toThrow(TypeError);
  });
});
