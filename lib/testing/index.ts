/**
 * `smart-flows-rx/testing`: an in-memory Smart Flows simulator for tests, demos and
 * benchmarks, with msw handlers and a real HTTP server in front of it (Node only).
 *
 * @example
 * import { createSimulator, createSimulatorHandlers, SIMULATOR_API_KEY } from 'smart-flows-rx/testing';
 * import { setupServer } from 'msw/node';
 *
 * const simulator = createSimulator();
 * const server = setupServer(...createSimulatorHandlers(simulator, { baseUrl: 'https://flows.test' }));
 * // then: new SmartFlowsClient({ baseUrl: 'https://flows.test', apiKey: SIMULATOR_API_KEY })
 *
 * @module smart-flows-rx/testing
 */

// Simulator
export { createSimulator } from './Simulator.js';
export { createVirtualClock } from './engine/clock.js';
export { builtInFlows } from './engine/builtInFlows.js';
// The simulator's seeded PRNG, for tests and benchmarks that draw reproducible scenarios.
export { mulberry32 as seededRandom } from './engine/random.js';
export type { Random } from './engine/random.js';
export { SIMULATOR_API_KEY, SIMULATOR_USER } from './constants.js';
// Reads a progress hold from text (`default:30,zero=default`), for command lines.
export { parseProgressHold } from './routing/progressHold.js';
export type { ProgressHold } from './routing/progressHold.js';

// Adapters
export { createSimulatorHandlers } from './adapters/createSimulatorHandlers.js';
export { startSimulatorServer } from './adapters/startSimulatorServer.js';

// Types
export type { SimulatorHandlersOptions } from './adapters/createSimulatorHandlers.js';
export type { SimulatorServer, SimulatorServerOptions } from './adapters/startSimulatorServer.js';
export type { Simulator } from './Simulator.js';
export type {
  DocumentScript,
  FlowOutcome,
  FlowScript,
  FlowStage,
  HoldMeaning,
  ProgressHoldOptions,
  SimulatorClock,
  SimulatorOptions,
  SimulatorListingOptions,
  SimulatorSortField,
  SimulatorRequest,
  SimulatorResponse,
  SimulatorStatus,
  SimulatorUser,
  StatusSpelling,
  StatusSpellingName,
  UserInputScript,
  VirtualClock,
} from './types.js';
export type {
  FaultOptions,
  SimulatorFaultCounts,
  SimulatorRequestLogEntry,
  SimulatorRouteName,
  SimulatorStats,
} from './statsTypes.js';
