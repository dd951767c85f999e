import { lazyModule } from './lazyModule';

/**
 * Runs a function of the engine (`enginePart.ts`), loading it at the first subscription of
 * any call that sends: one chunk for everything a flow needs, so a first `run` waits for one
 * load. The client's facade and the API layer's both go through it.
 */
export const withEngine = lazyModule('engine', () => import('./enginePart'));

/** The engine's exports (for the types of the functions that receive it). */
export type Engine = typeof import('./enginePart');
