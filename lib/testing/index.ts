// The `smart-flows-rx/testing` entry: a Smart Flows simulator for tests, demos and benchmarks.

// Simulator
export { createSimulator } from './Simulator.js';
export { createVirtualClock } from './engine/clock.js';
export { builtInFlows } from './engine/builtInFlows.js';
// The simulator's seeded PRNG, for tests and benchmarks that draw reproducible scenarios.
export { mulberry32 as seededRandom } from './engine/random.js';
export { SIMULATOR_API_KEY, SIMULATOR_USER } from './constants.js';
// Reads a progress hold from text (`default:30,zero=default`), for command lines.
export { parseProgressHold } from './routing/progressHold.js';

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
