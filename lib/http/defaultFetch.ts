import crossFetch from 'cross-fetch';
import type { FetchLike } from '../options';

/** The fetch used when none is given: cross-fetch (node-fetch in Node). */
export const defaultFetch = crossFetch as FetchLike;
