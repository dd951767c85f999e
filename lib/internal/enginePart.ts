// The engine: what `run`, `watch`, `runBatch` and the single calls need once they send
// (the calls and their zod schemas, the input check, the poll loop, batches). Loaded as one
// chunk at the first subscription (see `loadEngine.ts`), so a browser app's initial bundle
// holds only the client's facade: options, argument checks, errors.
export { executionCalls } from '../api/executionCalls';
export { redactionOf } from '../api/redaction';
export { prepareInput } from '../api/prepareInput';
export { followExecution } from '../execution/followExecution';
export { endOnAbort } from '../execution/endOnAbort';
export { followerBounds } from '../execution/followerBounds';
export { runBatch } from '../execution/runBatch';
