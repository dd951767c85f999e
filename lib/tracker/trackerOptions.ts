import { SmartFlowsInputError } from '../errors';

/** Why the tracker (or one execution of it) went back to per-execution polling. */
export type TrackerFallbackReason =
  /** The server has no listing endpoint, or no `modifiedAt` on its items. */
  | 'unsupported'
  /** The server answered 400 to `sort=modifiedAt,desc`. */
  | 'sortRefused'
  /** The answer was not sorted by `modifiedAt`, newest first, as asked. */
  | 'unsorted'
  /** Listing requests kept failing (after the client's retries). */
  | 'listingFailed'
  /** A tracked execution changed without the listing showing it. */
  | 'missing'
  /** The listing's status contradicts the execution's own answer. */
  | 'contradiction';

/** What the tracker tells through `onDebug`: never logged by the library. */
export type TrackerDebugEvent =
  | {
      /** One listing cycle ended. */
      type: 'cycle';
      /** Listing requests this cycle sent (pages). */
      requests: number;
      /** Items the listing answered. */
      items: number;
      /** Status changes of tracked executions it brought. */
      changes: number;
      /** Executions followed through the listing now. */
      tracked: number;
      /** How far before the previous cycle's newest `modifiedAt` this cycle read, in ms. */
      marginMs: number;
      /** The latest an item showed up this cycle (stamped before the previous cycle's newest, yet not in it), in ms; 0: none late. */
      lateMs: number;
      /** Quiet executions this cycle checked with one listing request (`id in […]`, see `missingAfterMs`). */
      swept: number;
      /** Of those, the ones listed otherwise than known, or not listed: each gets a progress request of its own. */
      checks: number;
    }
  | {
      /** Quiet executions are no longer checked through the listing: each gets its own progress request. */
      type: 'sweep';
      /** From now on, quiet executions get a check of their own each. */
      sweeps: 'off';
      /** What the server answered. */
      detail: string;
    }
  | {
      /** The filter endpoint is missing or refused its body: cycles use `GET /flows/executions` from now on. */
      type: 'feed';
      /** The feed from now on. */
      feed: 'list';
      /** What the server answered. */
      detail: string;
    }
  | {
      /** Per-execution polling from now on: for every execution (`scope: 'tracker'`) or one. */
      type: 'fallback';
      /** `'tracker'`: every execution of the client; `'execution'`: the one named. */
      scope: 'tracker' | 'execution';
      /** Why (see {@link TrackerFallbackReason}). */
      reason: TrackerFallbackReason;
      /** The execution, for `scope: 'execution'`. */
      executionId?: string;
      /** What was seen, in words (no credential ever). */
      detail: string;
    };

/**
 * Options of the listing tracker (`tracking: 'listing'`), one per client: how often it asks what
 * changed, how far back each cycle reads, and when a quiet execution is checked on its own.
 */
export interface TrackerOptions {
  /** Time between two listing cycles, in ms. @default 1000 */
  intervalMs?: number;
  /**
   * How far before the newest `modifiedAt` of the previous cycle each cycle reads again, in ms:
   * covers listings that lag the progress call and changes stamped while a cycle was read.
   * `'auto'`: twice the lateness the tracker sees (items stamped before the previous cycle's
   * newest, yet missing from it), fading over about 35 cycles, from 500 ms up to 3000 ms; an item
   * later than half the margin sets it to 3000 ms at once. A number: that margin, fixed. @default 'auto'
   */
  safetyMarginMs?: number | 'auto';
  /**
   * A tracked execution the listing's changes have not shown for this long (a long stage, a queue)
   * is checked: with the filter feed, up to `maxPageSize` of them at once with one listing request
   * (`id in […]`); one listed as known stays on the listing, one listed otherwise or not at all
   * gets one progress request of its own (and, if it changed without the listing showing it,
   * falls back to polling). Without the filter endpoint, or where it cannot filter by id, each
   * gets its own progress request. @default 30000
   */
  missingAfterMs?: number;
  /** Largest page a cycle asks for (pages adapt to the changes of the previous cycle). @default 1000 */
  maxPageSize?: number;
  /** Most pages one cycle reads. @default 10 */
  maxPages?: number;
  /**
   * `'filter'`: `POST /flows/executions/filter` on `modifiedAt ≥ horizon` (falling back to
   * `'list'` where the server has no such endpoint); `'list'`: `GET /flows/executions` sorted by
   * `modifiedAt`, newest first, paged until older than the horizon. @default 'filter'
   */
  feed?: 'filter' | 'list';
  /** Receives debug events: each cycle, each fallback. What it throws is ignored: it never changes what the tracker does. */
  onDebug?: (event: TrackerDebugEvent) => void;
}

/** {@link TrackerOptions} with every default merged in. */
export type NormalizedTrackerOptions = Required<Omit<TrackerOptions, 'onDebug'>> & Pick<TrackerOptions, 'onDebug'>;

const DEFAULTS = { intervalMs: 1000, safetyMarginMs: 'auto', missingAfterMs: 30_000, maxPageSize: 1000, maxPages: 10, feed: 'filter' } as const;

/**
 * Merges the defaults into the tracker's options and checks them.
 * @throws SmartFlowsInputError for a bad value
 */
export function normalizeTrackerOptions(options: TrackerOptions = {}): NormalizedTrackerOptions {
  if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('tracker must be an object');
  const number = (name: keyof typeof DEFAULTS, min: number, max = Number.MAX_SAFE_INTEGER, or = ''): number => {
    const value = options[name] ?? DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new SmartFlowsInputError(`tracker.${name} must be ${or}a number from ${min} to ${max}`);
    return value;
  };
  const feed = options.feed ?? DEFAULTS.feed;
  if (feed !== 'filter' && feed !== 'list') throw new SmartFlowsInputError(`tracker.feed must be 'filter' or 'list'`);
  if (options.onDebug !== undefined && typeof options.onDebug !== 'function') throw new SmartFlowsInputError('tracker.onDebug must be a function');
  return {
    intervalMs: number('intervalMs', 1),
    safetyMarginMs: (options.safetyMarginMs ?? DEFAULTS.safetyMarginMs) === 'auto' ? 'auto' : number('safetyMarginMs', 0, undefined, "'auto' or "),
    missingAfterMs: number('missingAfterMs', 1),
    maxPageSize: Math.floor(number('maxPageSize', 1, 1000)),
    maxPages: Math.floor(number('maxPages', 1)),
    feed,
    ...(options.onDebug ? { onDebug: options.onDebug } : {}),
  };
}
