import { describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';
import { builtInFlows as f, startSimulatorServer } from 'smart-flows-rx/testing';
import { SmartFlowsClient } from '../../lib/client';

// A real socket and the real clock: no msw in this file.
const LETTER = '<Letter><To>Ann</To></Letter>';

describe('runBatch over the wire (the simulator HTTP server, real time)', () => {
  it('runs a small batch to the end within the concurrency limit', async () => {
    const server = await startSimulatorServer({ port: 0, seed: 3 });
    try {
      const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 20, maxIntervalMs: 50 } });
      const jobs = [f.short, f.short, f.warning, f.error, f.short].map((flow) => ({ flowId: flow.id, input: LETTER }));
      const last = await lastValueFrom(client.runBatch(jobs, { concurrency: 2, snapshotIntervalMs: 50 }));
      expect(last).toMatchObject({ done: true, succeeded: 4, failed: 1, running: 0 });
      expect(server.simulator.stats.maxConcurrentExecutions).toBeLessThanOrEqual(2);
      expect(server.simulator.stats.executionsStarted).toBe(5);
    } finally {
      await server.close();
    }
  });
});
