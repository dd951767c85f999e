// A journaled batch: reading and checking the journal, reconciling unsettled starts, writing
// each job's life. Loaded as one chunk only for a batch given a `journal` (see `loadParts.ts`).
export { openJournal } from '../batch/openJournal';
export { journaledJob } from '../batch/journaledJob';
