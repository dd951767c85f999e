import { afterAll, beforeAll } from '@jest/globals';
import { builtInFlows, startSimulatorServer, type FlowScript, type SimulatorServer, type SimulatorServerOptions } from 'smart-flows-rx/testing';
import { SmartFlowsClient, type SmartFlowsClientOptions } from 'smart-flows-rx';

/** A built-in flow with every stage (and the queue) shortened to a few ms, so wire tests stay fast. */
export function fast(script: FlowScript, stageMs = 5): FlowScript {
  return { ...script, queueMs: script.queueMs ? stageMs : 0, stages: script.stages.map((s) => ({ ...s, durationMs: stageMs })) };
}

/** The built-in flows, fast. */
export const fastFlows = Object.fromEntries(Object.entries(builtInFlows).map(([k, v]) => [k, fast(v)])) as unknown as typeof builtInFlows;

/** Starts a simulator server (fast built-in flows) for one spec file; `get()` gives it inside tests. */
export function useSimulatorServer(options: SimulatorServerOptions = {}) {
  let server: SimulatorServer | undefined;
  beforeAll(async () => {
    server = await startSimulatorServer({ seed: 7, flows: Object.values(fastFlows), ...options });
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => server!;
}

/** A client of that server with fast timings. */
export function wireClient(server: SimulatorServer, options: Partial<SmartFlowsClientOptions> = {}): SmartFlowsClient {
  return new SmartFlowsClient({
    baseUrl: server.url,
    apiKey: server.apiKey,
    // No long poll: these flows change every few ms, and a held poll waits for the change after
    // its arrival, so one landing just before it would be seen late (spec/wire/serverHold covers 'auto').
    polling: { intervalMs: 1, maxIntervalMs: 5, idleIntervalMs: 5, waitSeconds: 0 },
    retry: { delayMs: 1, jitter: false },
    ...options,
  });
}
