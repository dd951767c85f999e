import type { SimulatorUser } from './types.js';

/** The API key the simulator accepts unless told otherwise. */
export const SIMULATOR_API_KEY = 'sim-api-key';

/** The user who may log in unless told otherwise. */
export const SIMULATOR_USER: Readonly<SimulatorUser> = Object.freeze({
  username: 'demo',
  password: 'demo',
  displayName: 'Demo User',
});
