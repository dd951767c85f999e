import { catchError, concatMap, EMPTY, expand, from, map, type Observable, of, reduce, takeWhile, toArray } from 'rxjs';
import type { ExecutionPage, ListExecutionsOptions } from '../api/listings';
import type { FlowExecution } from '../api/types';
import { ownWords } from './outcome';
import { latestInstantMs } from './serverTime';

/** What reconciliation needs from the client. */
export interface ReconcileDeps {
  /** Lists a flow's executions (the client's `listExecutions`). */
  listExecutions(options: ListExecutionsOptions): Observable<ExecutionPage>;
  /** Reads one execution with its `state.inputData` (the client's `getExecution`). */
  getExecution(executionId: string): Observable<FlowExecution>;
}

/** What reconciliation found for a job left `starting`. */
export type Reconciled =
  /** The server has an execution of this flow with this input that no other job owns. */
  | {
      /** Adopt the execution found: follow it instead of starting one. */
      kind: 'adopt';
      /** The execution found. */
      executionId: string;
    }
  /** The server certainly has none: every execution since the start was read and ruled out. */
  | {
      /** Nothing found: starting the job again cannot run it twice. */
      kind: 'none';
    }
  /** Could not tell (listing failed, an input could not be read or compared); nothing is started. */
  | {
      /** Could not tell: start nothing. */
      kind: 'uncertain';
      /** What could not be read or ruled out. */
      reason: string;
      /** Executions that may be the job's (their input could not be read). */
      candidateIds: string[];
    };

/**
 * How far before the journal's `starting` time executions are looked at: the server's clock
 * may differ from this machine's, and an execution missed for a clock running behind would be
 * started a second time (a server 10 minutes behind did that with the 5 minutes this was).
 * An hour: executions in the window that the journal knows are skipped without a request, the
 * others cost one GET each, and only jobs whose start answer was lost are reconciled at all.
 */
export const RECONCILE_SKEW_MS = 60 * 60_000;
/** Listing page size used by reconciliation. */
const PAGE_SIZE = 100;
/** Most listing pages read for one job; past it, the job is uncertain. */
const MAX_PAGES = 50;

/**
 * The latest instant an execution's `createdAt` can stand for: a time without a zone (never read
 * in this machine's zone) counts as late as a server 14 h east of UTC would mean it, so it only
 * ever keeps an execution in the window; the input comparison then decides.
 */
const createdMs = (e: FlowExecution): number => latestInstantMs(e.createdAt);

/**
 * Finds whether a start whose answer was lost created an execution: lists the flow's
 * executions newest first back to `sinceMs` (less an hour for clock skew), fetches each
 * one the journal does not know, and compares its `state.inputData` with `xml`. A `createdAt`
 * without a zone is not read in this machine's zone: it is taken as late as it can be (14 h
 * after its UTC reading), so it widens the window and never rules an execution out. A journaled
 * batch and the BullMQ processor use it for a job recorded as starting without an execution id.
 * Never errors: a listing or an input it cannot read gives `uncertain`.
 * @param deps - the client's `listExecutions` and `getExecution` (bound), or stand-ins
 * @param job - the flow, the exact XML the start sent, and when the start was sent (ms since the epoch)
 * @param known - lower-cased execution ids owned by jobs already (the journal's, and adopted ones)
 * @returns one {@link Reconciled}: adopt this execution, none (start again), or uncertain (start nothing)
 * @example
 * reconcile({ listExecutions: (o) => client.listExecutions(o), getExecution: (id) => client.getExecution(id) },
 *   { flowId, xml, sinceMs: Date.parse(startingAt) }, new Set());
 */
export function reconcile(deps: ReconcileDeps, job: { flowId: string; xml: string | undefined; sinceMs: number }, known: ReadonlySet<string>): Observable<Reconciled> {
  return reconcileWithin(deps, job, known, { maxPages: MAX_PAGES, maxReads: Infinity });
}

/** What one reconciliation may cost: listing pages, and execution GETs of unknown candidates. */
export interface ReconcileLimits {
  /** Most listing pages read (of 100); when the window reaches beyond them, `uncertain` without a GET. */
  maxPages: number;
  /** Most executions GET (the newest candidates first); when the window holds more and none matched, `uncertain`. */
  maxReads: number;
  /** Stop at the first execution GET that fails (an error, not an input that cannot be compared): `uncertain` without reading the rest. @default false */
  stopAtFailedRead?: boolean;
}

/**
 * {@link reconcile} over a window and bounds: the executions created at or after `cutoffMs` (the
 * server's clock, as its `createdAt` reads; without it `sinceMs` less {@link RECONCILE_SKEW_MS})
 * that `known` does not hold are the
 * candidates; at most `limits.maxPages` listing pages are read (fewer once more than
 * `limits.maxReads` candidates are in hand), and at most `limits.maxReads` candidates are read,
 * newest first. A match is adopted; past a bound without a match the answer is `uncertain`.
 * A start answered busy uses it (`api/busyStart.ts`) with small bounds: it looks at a server that
 * just said it is overloaded.
 */
export function reconcileWithin(
  deps: ReconcileDeps,
  job: { flowId: string; xml: string | undefined; sinceMs: number; cutoffMs?: number },
  known: ReadonlySet<string>,
  limits: ReconcileLimits,
): Observable<Reconciled> {
  const cutoffMs = job.cutoffMs ?? job.sinceMs - RECONCILE_SKEW_MS;
  const isCandidate = (e: FlowExecution) => !known.has(e.id.toLowerCase()) && !(createdMs(e) < cutoffMs);
  const list = (page: number) => deps.listExecutions({ flowId: job.flowId, page, size: PAGE_SIZE, sort: 'createdAt,desc' });
  // Pages until one reaches past the cutoff (a server that ignores `sort` is read to the end), or
  // until more candidates are in hand than may be read.
  type Read = { page: ExecutionPage; n: number; found: number };
  const more = ({ page, n, found }: Read) => needsMore(page, cutoffMs) && found <= limits.maxReads && n + 1 < limits.maxPages;
  const pages$ = list(0).pipe(
    map((p): Read => ({ page: p, n: 0, found: p.items.filter(isCandidate).length })),
    expand((read) => (more(read) ? list(read.page.page + 1).pipe(map((p): Read => ({ page: p, n: read.n + 1, found: read.found + p.items.filter(isCandidate).length }))) : EMPTY)),
    reduce((acc, { page, found }) => ({ items: acc.items.concat(page.items), complete: !needsMore(page, cutoffMs), found }), {
      items: [] as FlowExecution[],
      complete: true,
      found: 0,
    }),
  );
  type Read1 = { id: string; same: boolean | undefined; failed?: true };
  return pages$.pipe(
    concatMap(({ items, complete, found }) => {
      const overReads = found > limits.maxReads;
      if (!complete && !overReads) {
        return of<Reconciled>({ kind: 'uncertain', reason: `more than ${limits.maxPages * PAGE_SIZE} executions of the flow to look through`, candidateIds: [] });
      }
      // Newest first, a time that cannot be read first of all (it may be the newest); stable: the
      // listing's order where times tie.
      const at = (e: FlowExecution) => (Number.isNaN(createdMs(e)) ? Infinity : createdMs(e));
      const candidates = items
        .filter(isCandidate)
        .sort((a, b) => (at(b) > at(a) ? 1 : at(b) < at(a) ? -1 : 0))
        .slice(0, limits.maxReads);
      return from(candidates).pipe(
        // One at a time, newest first; the first match is adopted and the rest are not fetched.
        concatMap((c) =>
          deps.getExecution(c.id).pipe(
            map((full): Read1 => ({ id: c.id, same: sameInput(full.state?.inputData, job.xml) })),
            catchError(() => of<Read1>({ id: c.id, same: undefined, failed: true })),
          ),
        ),
        takeWhile((r) => r.same !== true && !(limits.stopAtFailedRead === true && r.failed === true), true),
        toArray(),
        map((results): Reconciled => {
          const match = results.find((r) => r.same === true);
          if (match) return { kind: 'adopt', executionId: match.id };
          if (overReads) return { kind: 'uncertain', reason: `more than ${limits.maxReads} executions of the flow in the window to read`, candidateIds: [] };
          const unread = results.filter((r) => r.same === undefined).map((r) => r.id);
          return unread.length === 0
            ? { kind: 'none' }
            : { kind: 'uncertain', reason: `the input of ${unread.length} execution(s) could not be read or compared`, candidateIds: unread };
        }),
      );
    }),
    catchError((error: unknown) =>
      // In the library's own words: the reason is journaled, and the error's text may echo a secret.
      of<Reconciled>({ kind: 'uncertain', reason: `the flow's executions could not be listed: ${ownWords(error)}`, candidateIds: [] }),
    ),
  );
}

/** True when the listing may hold executions in the window beyond this page. */
function needsMore(page: ExecutionPage, cutoffMs: number): boolean {
  if (page.items.length < page.size) return false;
  if (page.totalPages !== undefined && page.page + 1 >= page.totalPages) return false;
  const times = page.items.map(createdMs);
  const sorted = times.every((t, i) => i === 0 || !(t > times[i - 1]!));
  const oldest = times.at(-1)!;
  // Newest first as asked: stop once this page reaches before the cutoff.
  return !(sorted && oldest < cutoffMs);
}

/** XML compared without its declaration, outer spaces and the spaces between tags. */
const squash = (xml: string) =>
  xml
    .replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '')
    .replace(/>\s+</g, '><')
    .trim();

/**
 * Whether an execution's `state.inputData` is the XML a job sends: `true`, `false`, or
 * `undefined` when it cannot tell (no input data, or a shape it does not know). Accepts the
 * XML as a string, or an object holding it as a string property (the simulator's `{ xml }`).
 */
export function sameInput(inputData: unknown, xml: string | undefined): boolean | undefined {
  const empty = inputData === undefined || inputData === null || inputData === '' || (typeof inputData === 'object' && Object.keys(inputData).length === 0);
  if (xml === undefined || xml.trim() === '') return empty ? true : typeof inputData === 'string' ? false : undefined;
  if (empty) return undefined;
  if (typeof inputData === 'string') return squash(inputData) === squash(xml);
  if (typeof inputData !== 'object') return undefined;
  const texts = Object.values(inputData as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.trimStart().startsWith('<'));
  if (texts.length === 0) return undefined;
  return texts.some((t) => squash(t) === squash(xml));
}
