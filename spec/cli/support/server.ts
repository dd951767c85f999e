import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient, type FlowExecution } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer, type FlowScript, type Simulator, type SimulatorRequest, type SimulatorRouteName, type SimulatorServer } from 'smart-flows-rx/testing';

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

/** The server's requests as events: wait for a state of the simulator, or answer a route yourself. */
export interface ServerEvents {
  /** Resolves once `ready(simulator)` holds, checked whenever a request arrives or is answered (no polling). */
  until(ready: (simulator: Simulator) => boolean): Promise<void>;
  /** Answers every request on `route` with `status` instead of the simulator (undefined: the simulator again). */
  refuse(route: SimulatorRouteName | undefined, status?: number): void;
  /** Rewrites the JSON body of every answer on `route` (a string is sent as it is; undefined: the simulator's answers again): a hostile server. */
  rewrite(route: SimulatorRouteName | undefined, change?: (body: Record<string, unknown>) => unknown): void;
}

const withoutLength = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'content-length'));
const asJson = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Wraps `server.simulator.handle` (the HTTP server calls it for every request). Call once per server. */
export function serverEvents(server: SimulatorServer): ServerEvents {
  const { simulator } = server;
  const handle = simulator.handle.bind(simulator);
  const waiters = new Set<() => void>();
  const check = () => waiters.forEach((w) => w());
  let refused: { route: SimulatorRouteName; status: number } | undefined;
  let rewritten: { route: SimulatorRouteName; change: (body: Record<string, unknown>) => unknown } | undefined;
  simulator.handle = (request: SimulatorRequest) => {
    const answer = handle(request);
    const route = simulator.requests.at(-1)?.route;
    check();
    if (refused && route === refused.route) {
      const status = refused.status;
      return answer.then(() => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `refused by the spec (${status})` }) }));
    }
    if (rewritten && route === rewritten.route) {
      const { change } = rewritten;
      return answer
        .then((response) => (typeof response.body === 'string' && response.status === 200 ? { ...response, headers: withoutLength(response.headers), body: asJson(change(JSON.parse(response.body) as Record<string, unknown>)) } : response))
        .finally(check);
    }
    return answer.finally(check);
  };
  return {
    until: (ready) =>
      new Promise<void>((resolve) => {
        const waiter = () => {
          if (!ready(simulator)) return;
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
        waiter();
      }),
    refuse: (route, status = 403) => {
      refused = route === undefined ? undefined : { route, status };
    },
    rewrite: (route, change) => {
      rewritten = route === undefined || change === undefined ? undefined : { route, change };
    },
  };
}
