import { SIMULATOR_API_KEY, SIMULATOR_USER } from './constants.js';
import { builtInFlows } from './engine/builtInFlows.js';
import { realClock } from './engine/clock.js';
import { normalizeProgressHold, type ProgressHold } from './routing/progressHold.js';
import type { SimulatorOptions } from './types.js';

/** Simulator options with every default filled in. */
export type NormalizedSimulatorOptions = Required<Omit<SimulatorOptions, 'faults' | 'progressHold'>> & Pick<SimulatorOptions, 'faults'> & { progressHold: ProgressHold };

/** The one place the simulator's defaults live. */
export function normalizeSimulatorOptions(options: SimulatorOptions = {}): NormalizedSimulatorOptions {
  const apiKeys = options.apiKeys?.length ? options.apiKeys : [SIMULATOR_API_KEY];
  return {
    flows: options.flows ?? Object.values(builtInFlows),
    clock: options.clock ?? realClock,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    apiKeys,
    users: options.users ?? [{ ...SIMULATOR_USER }],
    tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
    documentTtlMs: options.documentTtlMs ?? 86_400_000,
    statusSpelling: options.statusSpelling ?? 'seed',
    maxLongPollSeconds: options.maxLongPollSeconds ?? 120,
    progressHold: normalizeProgressHold(options.progressHold),
    endpointStyle: options.endpointStyle ?? 'both',
    faults: options.faults,
    requestLogLimit: options.requestLogLimit ?? 1000,
  };
}
