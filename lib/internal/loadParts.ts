import { lazyModule } from './lazyModule';

// The rarely used parts, each its own chunk, loaded at the first subscription of a call that
// needs it (see `lazyModule`). The engine a flow needs is `loadEngine.ts`.

/** Document metadata and downloads (`getDocument`, `downloadDocument`, `downloadDocuments`). */
export const withDocuments = lazyModule('documents', () => import('./documentsPart'));

/** Listings (`listExecutions`, and a journaled batch's reconciliation). */
export const withListings = lazyModule('listings', () => import('../api/listings'));

/** Logging in (`login`, and the token function of `withLogin`). */
export const withLoginPart = lazyModule('login', () => import('../api/login'));

/**
 * The redaction of a client's secrets alone, for code that prints before any answer is read
 * (the command line, before its first line): every part above that reads answers carries it too.
 */
export const withRedaction = lazyModule('redaction', () => import('../api/redaction'));

/** A batch's journal (`runBatch` with `journal`). */
export const withJournal = lazyModule('journal', () => import('./journalPart'));

/** The listing tracker (`tracking: 'listing'` on `run`, `watch`, `runBatch`). */
export const withTracker = lazyModule('tracker', () => import('./trackerPart'));
