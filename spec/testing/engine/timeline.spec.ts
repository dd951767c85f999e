import { describe, it, expect } from '@jest/globals';
import type { FlowScript } from 'smart-flows-rx/testing';
import type { ExecutionRecord } from '../../../lib/testing/engine/ExecutionRecord.js';
import { phaseAt, phasesOf, terminalAtMs } from '../../../lib/testing/engine/timeline.js';

const user = { id: 'u', displayName: 'U' };
const script: FlowScript = {
  id: 'f',
  displayName: 'F',
  queueMs: 100,
  stages: [
    { message: 'A', percentage: 0, durationMs: 50 },
    { message: 'skipped', percentage: 10, durationMs: 0 },
    { message: 'B', percentage: 50, durationMs: 50 },
  ],
  outcome: 'Error',
};
const record = (over: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id: 'e', script, createdAtMs: 1_000, createdBy: user, modifiedBy: user, skipUserInput: false, documentIds: [], ...over,
});

describe('phasesOf', () => {
  it('lays out queue, stages and outcome back to back, leaving out zero-length stages', () => {
    expect(phasesOf(record()).map((p) => [p.status, p.message, p.startMs, p.endMs])).toEqual([
      ['Queued', 'Waiting in queue', 1_000, 1_100],
      ['Running', 'A', 1_100, 1_150],
      ['Running', 'B', 1_150, 1_200],
      ['Error', 'Flow failed', 1_200, Infinity],
    ]);
  });

  it('keeps the last stage percentage for Error and Interrupted, 100 for Success', () => {
    expect(phaseAt(record(), 5_000).percentage).toBe(50);
    expect(phaseAt(record({ script: { ...script, outcome: 'Success' } }), 5_000).percentage).toBe(100);
  });

  it('pauses for user input until it is posted, then resumes from that moment', () => {
    const withInput = { ...script, userInput: { afterStage: 0, schema: {}, model: {}, form: [] } };
    expect(terminalAtMs(record({ script: withInput }))).toBe(Infinity);
    expect(phaseAt(record({ script: withInput }), 99_999).status).toBe('UserInput');
    const resumed = record({ script: withInput, resumedAtMs: 10_000 });
    expect(phaseAt(resumed, 10_010).message).toBe('B');
    expect(terminalAtMs(resumed)).toBe(10_050);
  });
});

describe('phaseAt with cancel', () => {
  it('freezes the percentage of the moment of the cancel, even while queued', () => {
    expect(phaseAt(record({ canceledAtMs: 1_050 }), 9_000)).toMatchObject({ status: 'Canceled', percentage: 0, startMs: 1_050 });
    expect(phaseAt(record({ canceledAtMs: 1_160 }), 9_000)).toMatchObject({ status: 'Canceled', percentage: 50 });
    expect(phaseAt(record({ canceledAtMs: 1_160 }), 1_120)).toMatchObject({ status: 'Running', message: 'A' });
    expect(terminalAtMs(record({ canceledAtMs: 1_160 }))).toBe(1_160);
  });
});
