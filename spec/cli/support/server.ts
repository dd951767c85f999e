import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient, type FlowExecution } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer, type FlowScript, type SimulatorServer } from 'smart-flows-rx/testing';

/** A flow that runs for a minute: long enough to interrupt, cancel or watch. */
export const slowFlow: FlowScript = {
  ...builtInFlows.short,
  id: '5f1a0000-0000-4000-8000-0000000000f1',
  displayName: 'Slow letter (a minute)',
  stages: [{ message: 'Generate document', percentage: 0, durationMs: 60_000 }],
};

export const LETTER = '<Letter><To>Ann</To></Letter>';

/** The simulator's HTTP server with the built-in flows and {@link slowFlow}. */
export async function startServer(): Promise<SimulatorServer> {
  const server = await startSimulatorServer({ port: 0 });
  server.simulator.addFlow(slowFlow);
  return server;
}

/** The environment that points the CLI at `server`. */
export const serverEnv = (server: SimulatorServer) => ({ SMART_FLOWS_URL: server.url, SMART_FLOWS_API_KEY: server.apiKey });

/** A client in the test process, to look at (or prepare) what the server holds. */
export const testClient = (server: SimulatorServer) => new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });

/** Every execution the server holds, newest first. */
export async function executions(server: SimulatorServer): Promise<FlowExecution[]> {
  return (await lastValueFrom(testClient(server).listExecutions({ size: 1000 }))).items;
}
