import { describe, it, expect } from '@jest/globals';
import * as testing from 'smart-flows-rx/testing';

describe('smart-flows-rx/testing exports', () => {
  it('exposes exactly these values (a change here is a deliberate change of the public surface)', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'SIMULATOR_API_KEY',
      'SIMULATOR_USER',
      'builtInFlows',
      'createSimulator',
      'createSimulatorHandlers',
      'createVirtualClock',
      'parseProgressHold',
      'seededRandom',
      'startSimulatorServer',
    ]);
  });

  it('has the documented defaults', () => {
    expect(testing.SIMULATOR_API_KEY).toBe('sim-api-key');
    expect(testing.SIMULATOR_USER).toMatchObject({ username: 'demo', password: 'demo' });
  });

  it('ships built-in flows with fixed, distinct GUIDs covering every outcome', () => {
    const flows = Object.values(testing.builtInFlows);
    expect(Object.keys(testing.builtInFlows)).toEqual(
      expect.arrayContaining(['short', 'long', 'queued', 'warning', 'error', 'interrupted', 'userInput', 'multiDocument']),
    );
    expect(new Set(flows.map((f) => f.id)).size).toBe(flows.length);
    expect(new Set(flows.map((f) => f.outcome))).toEqual(new Set(['Success', 'Warning', 'Error', 'Interrupted']));
    for (const flow of flows) {
      const messages = flow.stages.map((s) => `${s.percentage} ${s.message}`);
      // Each stage change is visible to a client: percentage or message differs.
      expect(new Set(messages).size).toBe(messages.length);
    }
  });
});
