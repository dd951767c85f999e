import { catchError, concatMap, defer, distinctUntilChanged, EMPTY, NEVER, type Observable, repeat, type SchedulerLike, shareReplay, Subject, type Subscription, switchMap, takeWhile, tap, timer } from 'rxjs';
import { isTerminalStatus } from '../api/status';
import type { FlowExecution, FlowProgress, FlowStatus } from '../api/types';
import { type FeedApi, type FeedItem, FeedUnusableError, readFeed } from './readFeed';
import type { NormalizedTrackerOptions, TrackerDebugEvent, TrackerFallbackReason } from './trackerOptions';
import { trackerChannel } from '../diagnostics/channels';

/**
 * One execution followed through the listing, shared by every follower of its id (a `run` and a
 * `watch` of it, two watches with other options…): the tracker counts them and forgets the entry
 * when the last one leaves. Only the tracker writes it (its cycles, and the methods each
 * follower's poller calls: {@link ListingTracker.readDirectly}, {@link ListingTracker.takeAudit},
 * {@link ListingTracker.confirmation}, {@link ListingTracker.fallBack}); a follower keeps its own
 * last progress and compares it with `status` to know what is new to it.
 */
export interface TrackedEntry {
  readonly id: string;
  /** The status last known: from the first progress, the listing, or a request of a follower. */
  readonly status: FlowStatus;
  /** `status` as the server spelled it. */
  readonly rawStatus: string;
  /** `modifiedAt` (ms) of the listing item that status came from. */
  readonly modifiedAtMs?: number;
  /** Scheduler time the listing last showed it (or it was added). */
  readonly lastSeenAtMs: number;
  /** Quiet too long: one follower checks it with a progress request (see {@link ListingTracker.takeAudit}). */
  readonly audit: boolean;
  /** Polls on its own from now on (every follower, each with its own poller). */
  readonly polling: boolean;
  /** Followers of this entry now. */
  readonly followers: number;
  /** Emits when there is news for the followers: a change, an audit, a fallback. */
  readonly news: Observable<void>;
  /** The execution fetched to confirm a terminal status (the output GET, sent once for every follower). */
  readonly confirmed?: FlowExecution;
}

/** The tracker's own, writable view of an entry. */
type Entry = { -readonly [K in keyof TrackedEntry]: TrackedEntry[K] } & {
  readonly news: Subject<void>;
  /** The confirming GET in flight (or done), shared by the followers that ask for it. */
  confirming?: Observable<FlowExecution>;
  /** Scheduler time of a status read with a follower's own request before the server's now was known: dated once it is. */
  readDirectlyAtMs?: number;
};

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
/** `safetyMarginMs: 'auto'`: the margin stays within these, twice the lateness lately seen. */
export const AUTO_MARGIN_MS = { min: 500, max: 3000 } as const;
/** Per cycle, how much of the lateness seen before still counts (it fades over about 35 cycles). */
const LATENESS_FADE = 0.95;

/** What a cycle read, kept to tell late items in the next one. */
interface PreviousRead {
  horizonMs: number;
  highWaterMs: number;
  /** Scheduler time of the read. */
  readAtMs: number;
  stamps: Map<string, number>;
}

/**
 * Follows many executions of one client with listing requests: every `intervalMs` one cycle
 * asks what changed since the previous one (see `readFeed`) and hands each tracked execution
 * its change; each execution's own loop (see `trackerPoller`) turns it into events. The cycles
 * run while at least one execution is tracked, and stop for good when the listing proves
 * unusable: then every execution polls on its own.
 */
export class ListingTracker {
  /** One entry per execution id, shared by its followers. */
  private readonly entries = new Map<string, Entry>();
  private cycles?: Subscription;
  private feed: 'filter' | 'list';
  private highWaterMs?: number;
  /** Server time less scheduler time, at least, as the tracked executions' stamps tell (see `learnServerClock`). */
  private serverOffsetMs?: number;
  /**
   * Server time less scheduler time, at least, as the listing's second newest execution tells
   * (one item stamped ahead of the server's clock does not move it), while the cycles run: it
   * keeps the high-water mark near the server's now when the tracked executions' stamps are old,
   * with the filter feed (see {@link clockOffsetMs}).
   */
  private listedOffsetMs?: number;
  private lastItems = 0;
  private failedCycles = 0;
  /** How far before the high-water mark the next cycle reads (fixed, or fitted to the lateness seen). */
  private marginMs: number;
  /** The lateness lately seen (fading), for `safetyMarginMs: 'auto'`. */
  private latenessMs = 0;
  /** The previous cycle's read, when it read all it asked for. */
  private previous?: PreviousRead;
  /**
   * The mark may stand on items stamped ahead of the server's now (see `readOnce`): the last read
   * (back to a horizon) brought nothing newer than the mark and no tracked execution was ever
   * listed; or only other users' stamps hold the mark above the server's now that the tracked
   * executions' stamps tell, by more than `missingAfterMs` or with nothing new in the last read
   * (see `heldByOthers`).
   */
  private stalled = false;
  /** The last read: the newest stamp of each execution it listed (to tell what is new in the next one), and when (scheduler time). */
  private last?: { stamps: ReadonlyMap<string, number>; readAtMs: number };
  /** The last cycle moved the high-water mark back: the next one reads a wider span than the last. */
  private widened = false;
  /** Quiet executions are checked by listing requests (`id in […]`); false once the server proved it cannot. */
  private sweeps = true;
  /** Per-execution polling for every execution: the listing proved unusable. */
  polling = false;

  constructor(private readonly deps: TrackerDeps, readonly options: NormalizedTrackerOptions) {
    this.feed = options.feed;
    this.marginMs = options.safetyMarginMs === 'auto' ? AUTO_MARGIN_MS.min : options.safetyMarginMs;
  }

  /**
   * Adds a follower of an execution, from the progress it starts from: the entry of that id if
   * one is tracked (the follower's progress, read just now, is the newest status unless the
   * entry already knows a terminal one), else a new one; starts the cycles if they were idle.
   * Each `add` is paired with one {@link remove}.
   */
  add(first: FlowProgress): TrackedEntry {
    const id = first.id.toLowerCase();
    const known = this.entries.get(id);
    if (known) {
      known.followers++;
      if (!isTerminalStatus(known.status)) this.readDirectly(known, first);
      return known;
    }
    const entry: Entry = {
      id,
      status: first.status,
      rawStatus: first.rawStatus,
      lastSeenAtMs: this.deps.scheduler.now(),
      audit: false,
      polling: this.polling,
      followers: 1,
      news: new Subject<void>(),
    };
    // After the tracker fell back, a new execution polls on its own from the start.
    if (this.polling) return entry;
    this.entries.set(id, entry);
    this.cycles ??= this.cycle$().subscribe();
    return entry;
  }

  /** A follower leaves (its stream ended): the entry is forgotten with its last follower, the cycles with the last entry. */
  remove(tracked: TrackedEntry): void {
    const entry = tracked as Entry;
    if (--entry.followers > 0) return;
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    if (this.entries.size === 0) this.stopCycles();
  }

  /**
   * A follower read the execution's status with its own request: it is the newest known (the
   * other followers hear of it), and listing items stamped before the newest change the listing
   * has shown so far are older than it, and must not undo it. Before the server's now is known,
   * that mark may stand on an item stamped ahead of it: the read is dated by the server's now
   * once known instead (see {@link dateDirectReads}).
   */
  readDirectly(tracked: TrackedEntry, progress: Pick<FlowProgress, 'status' | 'rawStatus'>): void {
    const entry = tracked as Entry;
    const changed = entry.status !== progress.status;
    entry.status = progress.status;
    entry.rawStatus = progress.rawStatus;
    if (this.serverOffsetMs === undefined) entry.readDirectlyAtMs = this.deps.scheduler.now();
    else if (this.highWaterMs !== undefined) entry.modifiedAtMs = Math.max(entry.modifiedAtMs ?? -Infinity, this.highWaterMs);
    if (changed) entry.news.next();
  }

  /** Whether a check of a quiet execution is due, and then the asking follower makes it (one check for all its followers). */
  takeAudit(tracked: TrackedEntry): boolean {
    const entry = tracked as Entry;
    if (!entry.audit) return false;
    entry.audit = false;
    return true;
  }

  /** A check taken by a follower that left (or failed) before its answer: the next follower to ask makes it. */
  returnAudit(tracked: TrackedEntry): void {
    const entry = tracked as Entry;
    if (entry.followers === 0 || entry.polling || this.entries.get(entry.id) !== entry) return;
    entry.audit = true;
    entry.news.next();
  }

  /**
   * The execution's GET that confirms a terminal status, sent once however many followers ask
   * (the answer is kept as `confirmed`, the output GET); a failed one is sent again by the next ask.
   */
  confirmation(tracked: TrackedEntry, get: () => Observable<FlowExecution>): Observable<FlowExecution> {
    const entry = tracked as Entry;
    return (entry.confirming ??= defer(get).pipe(
      // Kept for the output GET when it is an end (a contradiction's answer is not).
      tap((execution) => {
        if (isTerminalStatus(execution.status)) entry.confirmed = execution;
      }),
      shareReplay({ bufferSize: 1, refCount: true }),
    ));
  }

  /** Switches one execution (every follower of it) to its own polling, and says why. */
  fallBack(tracked: TrackedEntry, reason: TrackerFallbackReason, detail: string): void {
    const entry = tracked as Entry;
    if (entry.polling) return;
    entry.polling = true;
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
      const { maxPageSize, maxPages } = this.options;
      const marginMs = this.marginMs;
      const horizonMs = this.highWaterMs === undefined ? undefined : this.highWaterMs - marginMs;
      // Quiet executions are asked for where the cycle reads a filter back to a horizon.
      const sweeping = horizonMs !== undefined && this.feed === 'filter' && this.sweeps;
      const due = sweeping ? this.dueForSweep() : [];
      // Until a tracked execution was listed, nothing tells the server's now: a high-water mark
      // that the listing's changes no longer pass may stand on an item stamped ahead of it, and
      // the filter would never list ours again. Then the cycle asks for them by id too (no verdict
      // on them: a lagging listing may not show them yet), until one is listed (see `judgedHorizon`).
      const probed = sweeping && this.stalled ? this.toProbe(due) : [];
      // Once the server's now is known, the same doubt (see `heldByOthers`) judges the executions
      // asked for by id by that now (see `judgedHorizon`).
      const doubted = probed.length > 0 && this.serverOffsetMs !== undefined;
      // Pages sized for the changes of the previous cycle and the executions asked for by id:
      // one request a cycle while they fit. After the high-water mark went back (the server's now
      // learned below it), those changes tell nothing of how many the wider read holds: a full page.
      const wanted = this.widened ? maxPageSize : horizonMs === undefined ? 2 * this.entries.size : 2 * this.lastItems + due.length + probed.length;
      const size = Math.min(maxPageSize, Math.max(MIN_PAGE_SIZE, wanted));
      const ids = [...due, ...probed].map((e) => e.id);
      // The first cycle reads back until it has listed every tracked execution (as far back as
      // the tracking began, and the margin): a change of one stamped below a busy server's first
      // page would fall below every later horizon.
      const first = horizonMs === undefined ? this.firstRead(marginMs) : undefined;
      const feed = this.feed;
      return readFeed(this.deps.api, { feed, horizonMs, size, maxPages, ids, first }).pipe(
        tap((read) => {
          this.failedCycles = 0;
          // The quiet executions asked for sort last, older than the horizon: apart from the changes.
          const asked = new Set(ids);
          const changed: FeedItem[] = [];
          const swept = new Map<string, FeedItem>();
          let unasked: FeedItem | undefined;
          // One instant for the whole cycle: the sweep's verdicts skip what its changes just showed.
          const now = this.deps.scheduler.now();
          const knewClock = this.serverOffsetMs !== undefined;
          const highWaterMs = this.highWaterMs;
          this.learnServerClock(read.items, now);
          if (!knewClock) this.dateDirectReads();
          // What this read shows below its horizon that the server's now, just learned, tells is a
          // change after all: a page of the list feed, the executions the filter was asked for by id.
          const judgedMs = !knewClock || doubted ? this.judgedHorizon(horizonMs, now, marginMs) : horizonMs;
          const rejudged = new Set(probed.map((e) => e.id));
          for (const item of read.items) {
            const id = item.execution.id.toLowerCase();
            if (horizonMs === undefined || item.modifiedAtMs >= horizonMs) changed.push(item);
            else if (judgedMs !== undefined && item.modifiedAtMs >= judgedMs && (feed === 'list' || rejudged.has(id))) changed.push(item);
            else if (asked.has(id)) swept.set(id, item);
            else unasked ??= item;
          }
          this.lastItems = changed.length;
          const changes = this.apply(changed, now, !sweeping);
          // Nothing newer than the high-water mark, and still nothing to tell the server's now; or
          // other users' stamps alone hold the mark above it.
          this.stalled = horizonMs !== undefined && (this.serverOffsetMs === undefined ? this.highWaterMs === highWaterMs : this.heldByOthers(read.items, asked, horizonMs, now));
          this.widened = highWaterMs !== undefined && this.highWaterMs !== undefined && this.highWaterMs < highWaterMs;
          if (first && !read.complete) this.checkUnlisted(now);
          const lateMs = this.fitMargin(changed, read.complete, horizonMs, now);
          let checks = 0;
          // A filter that drops the id condition (or the `or`) answers everything older too.
          if (unasked && ids.length > 0) this.stopSweeps(`POST /flows/executions/filter answered execution ${unasked.execution.id}, older than the horizon, which the filter did not ask for`);
          else if (ids.length > 0) checks = this.applySweep(due, swept, read.complete, now);
          this.debug({ type: 'cycle', requests: read.requests, items: read.items.length, changes, tracked: this.entries.size, marginMs, lateMs, swept: due.length, checks });
        }),
        catchError((error: unknown) => {
          // A refused body that asked for ids: no more sweeps, the same feed without them next cycle.
          if (ids.length > 0 && error instanceof FeedUnusableError && error.filterOnly) this.stopSweeps(error.message);
          else this.failed(error);
          return EMPTY;
        }),
      );
    });
  }

  /**
   * The server's clock: a tracked execution's stamp (changed, swept, probed, or read back to on
   * the list feed) is at most the server's now (a change is listed after it happened). Keeps the
   * largest stamp less the scheduler's now while the client lives (the server's clock does not go
   * back); another user's item is not trusted with it. The listing's second newest execution,
   * whoever's, is kept apart while the cycles run (`listedOffsetMs`, see {@link clockOffsetMs}).
   */
  private learnServerClock(items: readonly FeedItem[], now: number): void {
    // The two newest stamps of distinct executions: the second is at most the server's now unless two are stamped ahead.
    let newest: { id: string; ms: number } | undefined;
    let second: number | undefined;
    for (const { execution, modifiedAtMs } of items) {
      const id = execution.id.toLowerCase();
      if (this.entries.has(id)) this.serverOffsetMs = Math.max(this.serverOffsetMs ?? -Infinity, modifiedAtMs - now);
      if (!newest || modifiedAtMs > newest.ms) {
        if (newest && newest.id !== id) second = newest.ms;
        newest = { id, ms: modifiedAtMs };
      } else if (id !== newest.id) second = Math.max(second ?? -Infinity, modifiedAtMs);
    }
    if (second !== undefined) this.listedOffsetMs = Math.max(this.listedOffsetMs ?? -Infinity, second - now);
  }

  /**
   * Server time less scheduler time, at least, for the high-water mark's bound: once a tracked
   * execution was listed, the larger of what the tracked stamps and (where the cycles can ask for
   * the tracked executions by id: the filter feed, sweeps on) the listing's second newest execution
   * tell. A tracked stamp alone is the server's now when that execution last changed: a `watch` of
   * one quiet for an hour would hold the mark an hour back, and every cycle would read an hour of
   * other users' changes. The second newest is the server's now less the pace of its changes on a
   * busy server; a single item stamped ahead (a skewed clock, a forged stamp) stays first and moves
   * neither. More of them could hold the mark ahead: then the cycles ask for the tracked ones by id
   * (see {@link heldByOthers}), which the list feed cannot. Before a tracked execution is listed
   * there is no bound (see `readOnce`).
   */
  private clockOffsetMs(): number | undefined {
    const listed = this.feed === 'filter' && this.sweeps ? this.listedOffsetMs : undefined;
    return this.serverOffsetMs === undefined ? undefined : Math.max(this.serverOffsetMs, listed ?? -Infinity);
  }

  /**
   * Once the server's now is known: a status read with a follower's own request before then is
   * newer than what the listing stamped before that read (at least the server's now then, as
   * far as the tracked executions' stamps tell).
   */
  private dateDirectReads(): void {
    const offsetMs = this.serverOffsetMs;
    if (offsetMs === undefined) return;
    for (const entry of this.entries.values()) {
      if (entry.readDirectlyAtMs === undefined) continue;
      entry.modifiedAtMs = Math.max(entry.modifiedAtMs ?? -Infinity, entry.readDirectlyAtMs + offsetMs);
      entry.readDirectlyAtMs = undefined;
    }
  }

  /**
   * Whether the mark may stand on items stamped ahead, now that the server's now is known: only
   * other users' stamps hold it above what the tracked executions' stamps tell (the listing's
   * second newest, see {@link clockOffsetMs}), and either by more than `missingAfterMs` or with
   * nothing new from the horizon on in this read (every item there, not asked for by id, as the
   * last read listed it). Two items stamped ahead (or a busy server's clock a day ahead) would hold
   * it there, and hide the tracked executions' changes: the next cycle then asks for them by id too
   * (see `toProbe`), and judges them by the server's now that their stamps tell. An execution quiet
   * for an hour costs its id a cycle; one item stamped ahead is passed over (`clockOffsetMs`).
   */
  private heldByOthers(items: readonly FeedItem[], asked: ReadonlySet<string>, horizonMs: number, now: number): boolean {
    const last = this.last?.stamps;
    if (last === undefined || this.serverOffsetMs === undefined || this.highWaterMs === undefined || this.highWaterMs <= now + this.serverOffsetMs) return false;
    if (this.highWaterMs > now + this.serverOffsetMs + this.options.missingAfterMs) return true;
    return items.every(({ execution, modifiedAtMs }) => {
      const id = execution.id.toLowerCase();
      return modifiedAtMs < horizonMs || asked.has(id) || last.get(id) === modifiedAtMs;
    });
  }

  /**
   * The horizon a read's items are judged by (a change, or older): the one it asked for, pulled
   * back to the server's now at the last read (less the margin), as the tracked executions'
   * stamps tell it, where a high-water mark may stand past it (taken before that was known, or
   * held by other users' stamps: see {@link heldByOthers}). A tracked execution this read listed
   * for the first time (or asked for by id) is then a change of this cycle, and a list feed's page
   * is judged by the server's now, not by an item stamped ahead of it (see {@link apply}). What is
   * older, the last read listed, unless the listing lags more than the margin.
   */
  private judgedHorizon(horizonMs: number | undefined, now: number, marginMs: number): number | undefined {
    if (horizonMs === undefined || this.serverOffsetMs === undefined) return horizonMs;
    return Math.min(horizonMs, (this.last?.readAtMs ?? now) + this.serverOffsetMs - marginMs);
  }

  /**
   * The tracked executions a cycle asks for by id while the server's now is unknown (none listed
   * yet), next to the quiet ones `due`, within the half page those may take.
   */
  private toProbe(due: readonly Entry[]): Entry[] {
    const room = Math.max(1, Math.floor(this.options.maxPageSize / 2)) - due.length;
    const asked = new Set(due);
    const probed: Entry[] = [];
    for (const e of this.entries.values()) {
      if (probed.length >= room) break;
      if (!e.polling && !e.audit && !isTerminalStatus(e.status) && !asked.has(e)) probed.push(e);
    }
    return probed;
  }

  /**
   * The quiet executions due for a check: not in the listing's changes for `missingAfterMs`;
   * those quiet longest first, up to half a page a cycle (so a crowd that fell quiet together
   * spreads over cycles, and the changes keep room). Each cycle asks for them in its one
   * request (`modifiedAt ≥ horizon` or `id in […]`, see `readFeed`), where it can sweep.
   */
  private dueForSweep(): Entry[] {
    const now = this.deps.scheduler.now();
    const due: Entry[] = [];
    for (const e of this.entries.values()) {
      if (!e.audit && !e.polling && !isTerminalStatus(e.status) && now - e.lastSeenAtMs >= this.options.missingAfterMs) due.push(e);
    }
    return due.sort((a, b) => a.lastSeenAtMs - b.lastSeenAtMs).slice(0, Math.max(1, Math.floor(this.options.maxPageSize / 2)));
  }

  /**
   * Hands each swept execution its verdict: listed as known, it is fresh again; listed otherwise
   * (a change the changes never showed) or not listed at all (when the read was whole), it gets
   * its own check. Returns how many need one.
   */
  private applySweep(due: readonly Entry[], listed: ReadonlyMap<string, FeedItem>, complete: boolean, now: number): number {
    let checks = 0;
    for (const entry of due) {
      // Gone, on its own polling, or shown by this cycle's changes: nothing to judge.
      if (this.entries.get(entry.id) !== entry || entry.polling || entry.audit || entry.lastSeenAtMs === now) continue;
      const item = listed.get(entry.id);
      if (!item && !complete) continue;
      entry.lastSeenAtMs = now;
      // As known, or older than what is known (a status read with the execution's own request).
      if (item && (item.execution.status === entry.status || (entry.modifiedAtMs !== undefined && item.modifiedAtMs <= entry.modifiedAtMs))) continue;
      entry.audit = true;
      checks++;
      entry.news.next();
    }
    return checks;
  }

  /** What the first cycle must list (every tracked execution), and how far back it may read for them. */
  private firstRead(marginMs: number): { cover: ReadonlySet<string>; lookbackMs: number } {
    let since = Infinity;
    for (const e of this.entries.values()) since = Math.min(since, e.lastSeenAtMs);
    return { cover: new Set(this.entries.keys()), lookbackMs: this.deps.scheduler.now() - since + marginMs };
  }

  /**
   * After a first cycle cut short (at `maxPages`, or at its look-back): the tracked executions it
   * did not list are not in what later cycles read back to (a lagging listing has not shown them
   * yet, or their change is older than the read). They are due for a check at once (a sweep, or a
   * request of their own).
   */
  private checkUnlisted(now: number): void {
    for (const entry of this.entries.values()) {
      if (entry.lastSeenAtMs !== now) entry.lastSeenAtMs = Math.min(entry.lastSeenAtMs, now - this.options.missingAfterMs);
    }
  }

  /** No more sweeps: quiet executions get their own check each, and the debug event says why. */
  private stopSweeps(detail: string): void {
    this.sweeps = false;
    this.debug({ type: 'sweep', sweeps: 'off', detail });
  }

  /**
   * Finds the items the previous cycle should have shown but did not (stamped before its newest
   * item, within what it read): the listing shows changes late by up to that much. With
   * `safetyMarginMs: 'auto'` the margin becomes twice the lateness lately seen (fading), within
   * {@link AUTO_MARGIN_MS}; an item later than half the margin sets it to the maximum at once.
   * Runs after {@link apply} has moved the high-water mark over these items; keeps this read
   * (when it was whole) for the next cycle's comparison. Returns the largest lateness of this read.
   */
  private fitMargin(items: readonly FeedItem[], complete: boolean, horizonMs: number | undefined, now: number): number {
    const previous = this.previous;
    // Late is what was stamped before the server's now at the previous read: a high-water mark
    // taken before that was known may stand past it (an item from the future).
    const offsetMs = this.clockOffsetMs();
    const previousHighMs = previous && offsetMs !== undefined ? Math.min(previous.highWaterMs, previous.readAtMs + offsetMs) : previous?.highWaterMs;
    let lateMs = 0;
    const stamps = new Map<string, number>();
    for (const { execution, modifiedAtMs } of items) {
      const id = execution.id.toLowerCase();
      if (stamps.has(id)) continue;
      stamps.set(id, modifiedAtMs);
      if (previous && previousHighMs !== undefined && modifiedAtMs >= previous.horizonMs && modifiedAtMs < previousHighMs && previous.stamps.get(id) !== modifiedAtMs) {
        lateMs = Math.max(lateMs, previousHighMs - modifiedAtMs);
      }
    }
    this.previous = complete && this.highWaterMs !== undefined ? { horizonMs: horizonMs ?? -Infinity, highWaterMs: this.highWaterMs, readAtMs: now, stamps } : undefined;
    this.last = { stamps, readAtMs: now };
    if (this.options.safetyMarginMs === 'auto') {
      const { min, max } = AUTO_MARGIN_MS;
      this.latenessMs = lateMs > this.marginMs / 2 ? max / 2 : Math.max(lateMs, this.latenessMs * LATENESS_FADE);
      this.marginMs = Math.min(max, Math.max(min, 2 * this.latenessMs));
    }
    return lateMs;
  }

  /** Hands each tracked execution the newest change the listing shows of it; marks the quiet ones for a check. */
  private apply(items: readonly FeedItem[], now: number, checkQuiet: boolean): number {
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
      entry.rawStatus = execution.rawStatus;
      changes++;
      entry.news.next();
    }
    // The high-water mark never passes the server's now: an item stamped later (a skewed clock,
    // a forged stamp) would move the horizon past every real change until that time came.
    // Until a tracked execution was listed, nothing tells the server's now.
    const offsetMs = this.clockOffsetMs();
    if (offsetMs !== undefined && this.highWaterMs !== undefined) this.highWaterMs = Math.min(this.highWaterMs, now + offsetMs);
    // Where the cycles cannot ask for them (no filter endpoint, one that cannot filter by id, or
    // a listing that never showed a change to read back from), each quiet execution is checked
    // with its own request.
    for (const entry of checkQuiet ? this.entries.values() : []) {
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
      entry.news.next();
    }
  }

  private stopCycles(): void {
    const cycles = this.cycles;
    this.cycles = undefined;
    this.highWaterMs = undefined;
    this.listedOffsetMs = undefined;
    this.previous = undefined;
    this.stalled = false;
    this.last = undefined;
    this.widened = false;
    cycles?.unsubscribe();
  }

  /** Tells `onDebug`; what it throws is ignored: an app's debug callback never changes what the tracker does. */
  private debug(event: TrackerDebugEvent): void {
    // The same event on the `smart-flows-rx:tracker` channel (lib/diagnostics).
    if (trackerChannel.hasSubscribers) trackerChannel.publish(event);
    try {
      this.options.onDebug?.(event);
    } catch {
      // Ignored on purpose (see above).
    }
  }
}
