import { catchError, concatMap, defer, distinctUntilChanged, EMPTY, NEVER, type Observable, repeat, type SchedulerLike, Subject, type Subscription, switchMap, takeWhile, tap, timer } from 'rxjs';
import { isTerminalStatus } from '../api/status';
import type { FlowExecution, FlowProgress, FlowStatus } from '../api/types';
import { type FeedApi, type FeedItem, FeedUnusableError, readFeed } from './readFeed';
import type { NormalizedTrackerOptions, TrackerDebugEvent, TrackerFallbackReason } from './trackerOptions';

/** One execution followed through the listing. */
export interface TrackedEntry {
  readonly id: string;
  /** The status last passed on (from the first progress, then from the listing). */
  status: FlowStatus;
  /** `modifiedAt` (ms) of the listing item that status came from. */
  modifiedAtMs?: number;
  /** Scheduler time the listing last showed it (or it was added). */
  lastSeenAtMs: number;
  /** A change the listing showed, not yet taken by the execution's loop. */
  pending?: FlowExecution;
  /** Quiet too long: the loop checks it with its own progress request. */
  audit: boolean;
  /** Polls on its own from now on. */
  polling: boolean;
  /** Emits when there is news for the loop: a change, an audit, a fallback. */
  readonly news: Subject<void>;
  /** The execution fetched to confirm a terminal status (the output GET, not sent twice). */
  confirmed?: FlowExecution;
}

/** What the tracker needs from the client. */
export interface TrackerDeps {
  api: FeedApi;
  scheduler: SchedulerLike;
  /** Whether cycles may run (a browser page shown and online, see `pageActivity`); absent: always. */
  mayPoll?: Observable<boolean>;
}

/** Consecutive failed cycles (after the client's own retries) before the tracker gives up on the listing. */
export const MAX_FAILED_CYCLES = 3;
const MIN_PAGE_SIZE = 50;

/**
 * Follows many executions of one client with listing requests: every `intervalMs` one cycle
 * asks what changed since the previous one (see `readFeed`) and hands each tracked execution
 * its change; each execution's own loop (see `trackerPoller`) turns it into events. The cycles
 * run while at least one execution is tracked, and stop for good when the listing proves
 * unusable: then every execution polls on its own.
 */
export class ListingTracker {
  private readonly entries = new Map<string, TrackedEntry>();
  private cycles?: Subscription;
  private feed: 'filter' | 'list';
  private highWaterMs?: number;
  private lastItems = 0;
  private failedCycles = 0;
  /** Per-execution polling for every execution: the listing proved unusable. */
  polling = false;

  constructor(private readonly deps: TrackerDeps, readonly options: NormalizedTrackerOptions) {
    this.feed = options.feed;
  }

  /** Starts tracking an execution from its latest progress; starts the cycles if they were idle. */
  add(first: FlowProgress): TrackedEntry {
    const entry: TrackedEntry = {
      id: first.id.toLowerCase(),
      status: first.status,
      lastSeenAtMs: this.deps.scheduler.now(),
      audit: false,
      polling: this.polling,
      news: new Subject<void>(),
    };
    // After the tracker fell back, a new execution polls on its own from the start.
    if (this.polling) return entry;
    this.entries.set(entry.id, entry);
    this.cycles ??= this.cycle$().subscribe();
    return entry;
  }

  /** Stops tracking an execution (its stream ended); the cycles stop with the last one. */
  remove(entry: TrackedEntry): void {
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    if (this.entries.size === 0) this.stopCycles();
  }

  /**
   * The execution's status was just read with its own request: listing items stamped before the
   * newest change the listing has shown so far are older than it, and must not undo it.
   */
  readDirectly(entry: TrackedEntry, status: FlowStatus): void {
    entry.status = status;
    if (this.highWaterMs !== undefined) entry.modifiedAtMs = Math.max(entry.modifiedAtMs ?? -Infinity, this.highWaterMs);
  }

  /** Switches one execution to its own polling, and says why. */
  fallBack(entry: TrackedEntry, reason: TrackerFallbackReason, detail: string): void {
    if (entry.polling) return;
    entry.polling = true;
    entry.pending = undefined;
    this.debug({ type: 'fallback', scope: 'execution', reason, executionId: entry.id, detail });
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    if (this.entries.size === 0) this.stopCycles();
    entry.news.next();
  }

  /** The cycles: a timer, one read, its changes handed out; again until stopped; none while the page is hidden. */
  private cycle$(): Observable<unknown> {
    const { scheduler, mayPoll } = this.deps;
    const cycles$ = timer(this.options.intervalMs, scheduler).pipe(
      concatMap(() => this.readOnce()),
      repeat(),
      takeWhile(() => !this.polling),
    );
    return mayPoll ? mayPoll.pipe(distinctUntilChanged(), switchMap((may) => (may ? cycles$ : NEVER)), takeWhile(() => !this.polling)) : cycles$;
  }

  private readOnce(): Observable<unknown> {
    return defer(() => {
      const { safetyMarginMs, maxPageSize, maxPages } = this.options;
      const horizonMs = this.highWaterMs === undefined ? undefined : this.highWaterMs - safetyMarginMs;
      // Pages sized for the changes of the previous cycle: one request a cycle while they fit.
      const wanted = horizonMs === undefined ? 2 * this.entries.size : 2 * this.lastItems;
      const size = Math.min(maxPageSize, Math.max(MIN_PAGE_SIZE, wanted));
      return readFeed(this.deps.api, { feed: this.feed, horizonMs, size, maxPages }).pipe(
        tap((read) => {
          this.failedCycles = 0;
          this.lastItems = read.items.length;
          const changes = this.apply(read.items);
          this.debug({ type: 'cycle', requests: read.requests, items: read.items.length, changes, tracked: this.entries.size });
        }),
        catchError((error: unknown) => {
          this.failed(error);
          return EMPTY;
        }),
      );
    });
  }

  /** Hands each tracked execution the newest change the listing shows of it; marks the quiet ones for a check. */
  private apply(items: readonly FeedItem[]): number {
    const now = this.deps.scheduler.now();
    const seen = new Set<string>();
    let changes = 0;
    for (const { execution, modifiedAtMs } of items) {
      this.highWaterMs = Math.max(this.highWaterMs ?? -Infinity, modifiedAtMs);
      const id = execution.id.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.lastSeenAtMs = now;
      if (isTerminalStatus(entry.status)) continue;
      if (execution.status === entry.status) {
        entry.modifiedAtMs = Math.max(entry.modifiedAtMs ?? -Infinity, modifiedAtMs);
        continue;
      }
      // Not newer than what is known (a lagging listing, or a status read with the execution's own request).
      if (entry.modifiedAtMs !== undefined && modifiedAtMs <= entry.modifiedAtMs) continue;
      entry.status = execution.status;
      entry.modifiedAtMs = modifiedAtMs;
      entry.pending = execution;
      changes++;
      entry.news.next();
    }
    for (const entry of this.entries.values()) {
      if (!entry.audit && now - entry.lastSeenAtMs >= this.options.missingAfterMs) {
        entry.audit = true;
        entry.lastSeenAtMs = now;
        entry.news.next();
      }
    }
    return changes;
  }

  private failed(error: unknown): void {
    if (error instanceof FeedUnusableError) {
      if (error.filterOnly && this.feed === 'filter') {
        this.feed = 'list';
        this.debug({ type: 'feed', feed: 'list', detail: error.message });
        return;
      }
      this.fallBackAll(error.reason, error.message);
      return;
    }
    // A passing failure (5xx, network) skips this cycle; the next reads back to the same horizon.
    if (++this.failedCycles >= MAX_FAILED_CYCLES) {
      this.fallBackAll('listingFailed', `${MAX_FAILED_CYCLES} listing cycles failed in a row, the last with: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Every execution polls on its own from now on, and the cycles stop. */
  private fallBackAll(reason: TrackerFallbackReason, detail: string): void {
    this.polling = true;
    this.debug({ type: 'fallback', scope: 'tracker', reason, detail });
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.stopCycles();
    for (const entry of entries) {
      entry.polling = true;
      entry.pending = undefined;
      entry.news.next();
    }
  }

  private stopCycles(): void {
    const cycles = this.cycles;
    this.cycles = undefined;
    this.highWaterMs = undefined;
    cycles?.unsubscribe();
  }

  private debug(event: TrackerDebugEvent): void {
    this.options.onDebug?.(event);
  }
}
