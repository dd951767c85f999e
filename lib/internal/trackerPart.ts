// The listing tracker (`tracking: 'listing'`): its own chunk, loaded at the first execution
// followed that way (see `loadParts.ts`).
export { ListingTracker } from '../tracker/ListingTracker';
export { trackExecution } from '../tracker/trackExecution';
