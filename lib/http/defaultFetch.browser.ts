import type { FetchLike } from '../options';

/**
 * The fetch used when none is given, in the browser build (`browser` export condition): the
 * browser's own fetch, which is what cross-fetch hands out in a browser anyway, without
 * shipping its 10 KB polyfill. Looked up per call, so a fetch patched later (msw's worker,
 * a test double) is used.
 */
export const defaultFetch: FetchLike = (input, init) => globalThis.fetch(input, init);
