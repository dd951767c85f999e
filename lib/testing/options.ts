import { SIMULATOR_API_KEY, SIMULATOR_USER } from './constants.js';
import { builtInFlows } from './engine/builtInFlows.js';
import { realClock } from './engine/clock.js';
import { normalizeProgressHold, type ProgressHold } from './routing/progressHold.js';
import type { SimulatorListingOptions, SimulatorOptions } from './types.js';

/** Simulator options with every default filled in. */
export type NormalizedSimulatorOptions = Required<Omit<SimulatorOptions, 'faults' | 'progressHold' | 'listing'>> & Pick<SimulatorOptions, 'faults'> & {
  progressHold: ProgressHold;
  listing: Required<SimulatorListingOptions>;
};

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
    listing: normalizeListing(options.listing),
  };
}

function normalizeListing(listing: SimulatorListingOptions = {}): Required<SimulatorListingOptions> {
  const { filterEndpoint = 'served', unsupportedSort = {}, unsupportedFilterKeys = {}, lagMs = 0, otherUsersPerStart = 0 } = listing;
  if (filterEndpoint !== 'served' && filterEndpoint !== 404 && filterEndpoint !== 405) throw new TypeError(`listing.filterEndpoint must be 'served', 404 or 405`);
  if (!(lagMs >= 0) || !Number.isFinite(lagMs)) throw new TypeError('listing.lagMs must be a number ≥ 0');
  if (!Number.isInteger(otherUsersPerStart) || otherUsersPerStart < 0) throw new TypeError('listing.otherUsersPerStart must be a whole number ≥ 0');
  for (const [key, how] of Object.entries(unsupportedFilterKeys)) {
    if (how !== 'ignored' && how !== 'refused') throw new TypeError(`listing.unsupportedFilterKeys.${key} must be 'ignored' or 'refused'`);
  }
  return { filterEndpoint, unsupportedSort: { ...unsupportedSort }, unsupportedFilterKeys: { ...unsupportedFilterKeys }, lagMs, otherUsersPerStart };
}
