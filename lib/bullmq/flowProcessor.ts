import {
  catchError, concat, concatMap, concatWith, connect, defer, EMPTY, filter, finalize, fromEvent, ignoreElements, isEmpty, lastValueFrom, map, merge, type Observable, of,
  type SchedulerLike, take, takeUntil, throttleTime, throwError, timer,
} from 'rxjs';
import { type ExecutionEvent, isFinalFailure, reconcile, type SmartFlowsClient, SmartFlowsError, SmartFlowsInputError, traceJob } from 'smart-flows-rx';
import { busyDelayMs, isRateLimitError, rateLimitError, unrecoverable } from './bullmqErrors';
import type { FlowJob, FlowJobData, FlowJobResult, FlowProcessor } from './flowJobTypes';
import { jobProgress, jobResult } from './jobResult';
import { jobXml } from './jobXml';
import { type FlowProcessorOptions, normalizeProcessorOptions, type ProcessorSettings } from './processorOptions';
import { SmartFlowsUncertainError } from './SmartFlowsUncertainError';

type Begun = { executionId: string; resumedAs?: FlowJobResult['resumedAs'] };

/**
 * A processor for a BullMQ `Worker` that runs one flow per job (`{ flowId, input, key? }`) and
 * never starts a job's flow twice, even when a worker dies mid-job and BullMQ hands the job to
 * another (a stalled job):
 * - it writes `startingAt` into the job (`job.updateData`) before sending the start, and the
 *   `executionId` as soon as the answer arrives, before anything else;
 * - it reports `job.updateProgress` (`{ executionId, percentage, status, message }`, at most
 *   one per `progressIntervalMs`, and the last one always) and returns a {@link FlowJobResult};
 *   what it stores of the server's text (the message, document names) goes through
 *   `client.redactText`, so a server echoing the key does not put it in Redis;
 * - a job with a recorded `executionId` is followed with `watch`; one with only `startingAt`
 *   is reconciled through the flow's listing and each execution's `state.inputData`: adopted,
 *   started again when the server certainly has none, or failed with
 *   {@link SmartFlowsUncertainError} without starting anything;
 * - failures are the client's errors (`FlowExecutionError`, … with `executionId`); those no
 *   retry can change (the core's `isFinalFailure`: the flow ended badly or asked for input, the
 *   start was refused, bad job data) fail the job with BullMQ's `UnrecoverableError` (the
 *   client's error as its `cause`, its message and `executionId`), which BullMQ 5 and 6 do not
 *   retry; the others (network, timeout, 5xx) follow the job's `attempts`, and a retry goes on
 *   with the same execution;
 * - with `tracking: 'listing'` the jobs of one worker process follow their executions through
 *   the client's one listing tracker (one listing request per cycle for all of them);
 * - with `rateLimit` (`(ms) => worker.rateLimit(ms)`), a start answered 429 or 503 pauses
 *   every worker of the queue and puts the job back (BullMQ's `RateLimitError`) with its
 *   `startingAt`: the next attempt reconciles before starting;
 * - BullMQ's AbortSignal (`worker.cancelJob`) stops following and fails the job for good
 *   (`UnrecoverableError`: a cancel is final); with `cancelOnAbort`, the recorded execution is
 *   cancelled too;
 * - an execution the server answers for a second job of the same client in this process (a
 *   start answered with an execution another job had, or one another job follows now) fails
 *   that second job for good (`UnrecoverableError`), before its `executionId` is recorded and
 *   without cancelling anything.
 * - every job ends by default (headless): a flow asking for user input fails its job with
 *   `FlowExecutionError` (discarded), and following is bounded by `timeoutMs` (one hour
 *   unless the client's `polling.timeoutMs` or the option says otherwise), past which the job
 *   fails with `SmartFlowsTimeoutError` and may be retried.
 * Two jobs of one flow with the same input cannot be told apart by reconciliation: give each
 * job its own input (an invoice number…).
 * @param client - the client the jobs run with
 * @param options - progress rate and run options; see {@link FlowProcessorOptions}
 * @throws SmartFlowsInputError for a wrong option (at once, not per job)
 * @example
 * const worker = new Worker('documents', flowProcessor(client), { connection, concurrency: 8 });
 * @example
 * const processor = flowProcessor(client, { tracking: 'listing', rateLimit: (ms) => worker.rateLimit(ms) });
 * const worker = new Worker('documents', processor, { connection, concurrency: 250, limiter: { max: 50, duration: 1000 } });
 */
export function flowProcessor(client: SmartFlowsClient, options: FlowProcessorOptions = {}): FlowProcessor {
  const settings = normalizeProcessorOptions(options, client.options.polling.timeoutMs);
  return (job, _token, signal) => lastValueFrom(processJob(client, settings, job).pipe(untilAborted(signal, settings.cancelOnAbort ? () => cancelRecorded(client, job, settings.scheduler) : () => EMPTY)));
}

/** One job, as an Observable of its result (one value). */
function processJob(client: SmartFlowsClient, settings: ProcessorSettings, job: FlowJob): Observable<FlowJobResult> {
  return defer(() => {
    const data = checkJobData(job.data);
    const name = data.key ?? job.id ?? data.flowId;
    // The job's diagnostics context (lib/diagnostics): a tracer's traceparent goes with `startingAt`, a job handed out again links to it.
    const trace: { traceparent?: string } = {};
    // What the processor stores in Redis of the server's text (progress messages, document
    // names) goes through the client's redaction: a server echoing the key must not put it there.
    const redact = (text: string) => client.redactText(text);
    const record = (patch: Partial<FlowJobData>) => defer(() => job.updateData({ ...job.data, ...patch }));
    const now = () => new Date(settings.scheduler.now()).toISOString();
    // One executionId answered for two jobs of this process (a caching proxy, a server fault) is caught here, before it is recorded:
    // a start's answer must be an execution no other job of the client had; a recorded or adopted one, one no other job follows now.
    const known = knownExecutions(client);
    const owner = job.id ?? job;
    let held: string | undefined;
    const claim = (executionId: string, fresh: boolean): Observable<never> =>
      defer(() => {
        const other = known.get(executionId);
        if (other !== undefined && other.owner !== owner && (fresh || other.live)) {
          const verb = other.live ? 'follows' : 'followed';
          return throwError(() => unrecoverable(new SmartFlowsError(`The server answered job ${name} with execution ${executionId}, which job ${other.name} ${verb} in this process`)));
        }
        known.delete(executionId);
        known.set(executionId, { owner, name, live: true });
        if (known.size > KNOWN_EXECUTIONS) known.delete(known.keys().next().value!);
        held = executionId;
        return EMPTY;
      });

    // A busy answer (429 or 503) pauses the whole queue (`rateLimit`) and puts the job back with its
    // `startingAt`: a gateway may answer 503 after the server made the execution, so the next
    // attempt reconciles first. A `rateLimit` that throws (Redis gone) still puts the job back.
    const backOff = (error: unknown): Observable<never> => {
      const { rateLimit } = settings;
      const delayMs = rateLimit ? busyDelayMs(error, settings.rateLimitMs) : undefined;
      if (!rateLimit || delayMs === undefined) return throwError(() => error);
      return defer(async () => rateLimit(delayMs)).pipe(ignoreElements(), catchError(() => EMPTY), concatWith(throwError(rateLimitError)));
    };

    // The first attempt's `startingAt` stays: a window from it covers every later attempt.
    const start = (xml: string | undefined, resumedAs?: 'restarted'): Observable<Begun> =>
      concat(
        data.startingAt === undefined ? record({ startingAt: now(), ...(trace.traceparent ? { traceparent: trace.traceparent } : {}) }).pipe(ignoreElements()) : of(),
        defer(() => client.startExecution(data.flowId, xml, { skipUserInput: settings.skipUserInput, retryBusy: settings.rateLimit === undefined })).pipe(
          catchError((error: unknown) => backOff(error)),
        ),
      ).pipe(concatMap((first) => concat(claim(first.id, true), record({ executionId: first.id })).pipe(map((): Begun => ({ executionId: first.id, ...(resumedAs ? { resumedAs } : {}) })))));

    const begin = (xml: string | undefined): Observable<Begun> => {
      if (data.executionId !== undefined) return concat(claim(data.executionId, false), of({ executionId: data.executionId, resumedAs: 'watched' as const }));
      if (data.startingAt === undefined) return start(xml);
      const sinceMs = Date.parse(data.startingAt);
      const deps = { listExecutions: client.listExecutions.bind(client), getExecution: client.getExecution.bind(client) };
      return reconcile(deps, { flowId: data.flowId, xml, sinceMs: Number.isFinite(sinceMs) ? sinceMs : 0 }, new Set()).pipe(
        concatMap((found): Observable<Begun> => {
          switch (found.kind) {
            case 'adopt':
              return concat(claim(found.executionId, false), record({ executionId: found.executionId, adopted: true })).pipe(map(() => ({ executionId: found.executionId, resumedAs: 'adopted' as const })));
            case 'none':
              return start(xml, 'restarted');
            case 'uncertain':
              return throwError(() => new SmartFlowsUncertainError(name, found));
          }
        }),
      );
    };

    const follow = ({ executionId, resumedAs }: Begun): Observable<FlowJobResult> => {
      const report = (event: ExecutionEvent) => defer(() => job.updateProgress(jobProgress(event, redact)));
      const watchOptions = {
        onUserInput: settings.onUserInput, tracking: settings.tracking, ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
      };
      return client.watch(executionId, watchOptions).pipe(
        connect((events) => {
          const output$ = events.pipe(filter((e): e is Extract<ExecutionEvent, { type: 'output' }> => e.type === 'output'), take(1));
          return merge(
            // Progress at a Redis-friendly rate; whatever is pending when the output comes is dropped for the final one.
            events.pipe(
              filter((e) => e.type === 'progress'),
              throttleTime(settings.progressIntervalMs, settings.scheduler, { leading: true, trailing: true }),
              takeUntil(output$),
              concatMap(report),
              ignoreElements(),
            ),
            output$.pipe(concatMap((event) => report(event).pipe(map(() => jobResult(event, resumedAs, redact))))),
          );
        }),
      );
    };

    const fields = { kind: 'job' as const, flowId: data.flowId, key: name, ...(data.traceparent ? { resumedFrom: data.traceparent } : {}) };
    const release = () => {
      const mine = held === undefined ? undefined : known.get(held);
      if (mine?.owner === owner) mine.live = false;
    };
    return traceJob(fields, jobXml(data.input, settings.toXml).pipe(concatMap(begin), concatMap(follow), finalize(release)), (c) => void (trace.traceparent = c.traceparent));
  }).pipe(
    catchError((error: unknown) => {
      if (isRateLimitError(error)) return throwError(() => error);
      // The core's rule, shared with journaled batches and the CLI; a recorded execution means one may run on.
      // A final failure is BullMQ's UnrecoverableError (BullMQ 5 and 6: no retry), the client's error its cause.
      const recorded = (job.data as Partial<FlowJobData> | null | undefined)?.executionId;
      return throwError(() => (isFinalFailure(error, typeof recorded === 'string' ? recorded : undefined) ? unrecoverable(error) : error));
    }),
  );
}

/** What one client's jobs in this process had as executions: the job (its id, or the job itself without one), its name for messages, and whether it follows it now. */
type KnownExecution = { owner: string | FlowJob; name: string; live: boolean };

/** How many executions per client are remembered (the oldest is forgotten first): some MB at most. */
const KNOWN_EXECUTIONS = 10_000;

const knownByClient = new WeakMap<SmartFlowsClient, Map<string, KnownExecution>>();

/** The executions `client`'s jobs had in this process: written only by a job's `claim` and `release`. */
function knownExecutions(client: SmartFlowsClient): Map<string, KnownExecution> {
  let known = knownByClient.get(client);
  if (!known) knownByClient.set(client, (known = new Map()));
  return known;
}

/** Checks a job's data before any request. @throws SmartFlowsInputError */
function checkJobData(data: unknown): FlowJobData {
  if (typeof data !== 'object' || data === null) throw new SmartFlowsInputError('job.data must be an object { flowId, input?, key? }');
  const d = data as Record<string, unknown>;
  if (typeof d.flowId !== 'string') throw new SmartFlowsInputError('job.data.flowId must be the flow GUID as a string');
  if (d.input !== undefined && typeof d.input !== 'string' && (typeof d.input !== 'object' || d.input === null || Array.isArray(d.input))) {
    throw new SmartFlowsInputError('job.data.input must be an XML string or a plain object');
  }
  for (const key of ['key', 'startingAt', 'executionId', 'traceparent'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'string') throw new SmartFlowsInputError(`job.data.${key} must be a string`);
  }
  return d as unknown as FlowJobData;
}

/** Longest the cancel sent on an abort may take (retries included): then the job fails without waiting for it. */
const CANCEL_LIMIT_MS = 5_000;

/** `cancelOnAbort`: cancels the job's recorded execution (known from the start's answer on, before any progress), its failure ignored. */
function cancelRecorded(client: SmartFlowsClient, job: FlowJob, scheduler: SchedulerLike): Observable<never> {
  return defer(() => {
    const executionId = (job.data as Partial<FlowJobData> | null | undefined)?.executionId;
    return typeof executionId === 'string' ? client.cancelExecution(executionId) : EMPTY;
  }).pipe(takeUntil(timer(CANCEL_LIMIT_MS, scheduler)), ignoreElements(), catchError(() => EMPTY));
}

/**
 * Ends the job when BullMQ aborts it (`worker.cancelJob`): the stream is left (its requests
 * aborted), `onAbort` runs (the cancel call with `cancelOnAbort`), and the job fails for good
 * (BullMQ's `UnrecoverableError` with the signal's reason: a cancel is final, never retried).
 */
function untilAborted<T>(signal: AbortSignal | undefined, onAbort: () => Observable<never>): (source: Observable<T>) => Observable<T> {
  if (!signal) return (source) => source;
  const aborted$ = defer(() => (signal.aborted ? of(true) : fromEvent(signal, 'abort').pipe(take(1))));
  const reason = () => (signal.reason instanceof Error ? signal.reason : new SmartFlowsError(`The job was cancelled${signal.reason === undefined ? '' : `: ${String(signal.reason)}`}`));
  return (source) =>
    source.pipe(
      takeUntil(aborted$),
      // Empty only when the abort stopped it (a job's stream gives one value or an error).
      connect((taken) => merge(taken, taken.pipe(isEmpty(), concatMap((stopped) => (stopped ? concat(onAbort(), throwError(() => unrecoverable(reason()))) : EMPTY))))),
    );
}
