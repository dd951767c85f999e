import {
  catchError, concat, concatMap, concatWith, connect, defer, filter, fromEvent, ignoreElements, lastValueFrom, map, merge, type Observable, of, take, takeUntil,
  throttleTime, throwError, throwIfEmpty,
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
 * - with `rateLimit` (`(ms) => worker.rateLimit(ms)`), a start answered 429 (or 503 with
 *   `Retry-After`) pauses every worker of the queue and puts the job back (BullMQ's `RateLimitError`);
 * - BullMQ's AbortSignal (`worker.cancelJob`) stops following (with `cancelOnAbort`, the
 *   execution is cancelled too).
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
  return (job, _token, signal) => lastValueFrom(processJob(client, settings, job).pipe(untilAborted(signal)));
}

/** One job, as an Observable of its result (one value). */
function processJob(client: SmartFlowsClient, settings: ProcessorSettings, job: FlowJob): Observable<FlowJobResult> {
  return defer(() => {
    const data = checkJobData(job.data);
    const name = data.key ?? job.id ?? data.flowId;
    // The job's diagnostics context (lib/diagnostics): a tracer's traceparent goes with `startingAt`, a job handed out again links to it.
    const trace: { traceparent?: string } = {};
    const record = (patch: Partial<FlowJobData>) => defer(() => job.updateData({ ...job.data, ...patch }));
    const now = () => new Date(settings.scheduler.now()).toISOString();

    // A busy server (429, or 503 with Retry-After) started nothing: the whole queue waits (`rateLimit`),
    // the job goes back to it without `startingAt` (its next attempt starts afresh, nothing to reconcile).
    const backOff = (error: unknown): Observable<never> => {
      const { rateLimit } = settings;
      const delayMs = rateLimit ? busyDelayMs(error, settings.rateLimitMs) : undefined;
      if (!rateLimit || delayMs === undefined) return throwError(() => error);
      const { startingAt: _forgotten, ...rest } = job.data;
      return concat(defer(async () => rateLimit(delayMs)), defer(() => job.updateData(rest))).pipe(ignoreElements(), concatWith(throwError(rateLimitError)));
    };

    // The first attempt's `startingAt` stays: a window from it covers every later attempt.
    const start = (xml: string | undefined, resumedAs?: 'restarted'): Observable<Begun> =>
      concat(
        data.startingAt === undefined ? record({ startingAt: now(), ...(trace.traceparent ? { traceparent: trace.traceparent } : {}) }).pipe(ignoreElements()) : of(),
        defer(() => client.startExecution(data.flowId, xml, { skipUserInput: settings.skipUserInput, retryBusy: settings.rateLimit === undefined })).pipe(
          catchError((error: unknown) => backOff(error)),
        ),
      ).pipe(concatMap((first) => record({ executionId: first.id }).pipe(map((): Begun => ({ executionId: first.id, ...(resumedAs ? { resumedAs } : {}) })))));

    const begin = (xml: string | undefined): Observable<Begun> => {
      if (data.executionId !== undefined) return of({ executionId: data.executionId, resumedAs: 'watched' });
      if (data.startingAt === undefined) return start(xml);
      const sinceMs = Date.parse(data.startingAt);
      const deps = { listExecutions: client.listExecutions.bind(client), getExecution: client.getExecution.bind(client) };
      return reconcile(deps, { flowId: data.flowId, xml, sinceMs: Number.isFinite(sinceMs) ? sinceMs : 0 }, new Set()).pipe(
        concatMap((found): Observable<Begun> => {
          switch (found.kind) {
            case 'adopt':
              return record({ executionId: found.executionId, adopted: true }).pipe(map(() => ({ executionId: found.executionId, resumedAs: 'adopted' as const })));
            case 'none':
              return start(xml, 'restarted');
            case 'uncertain':
              return throwError(() => new SmartFlowsUncertainError(name, found));
          }
        }),
      );
    };

    const follow = ({ executionId, resumedAs }: Begun): Observable<FlowJobResult> => {
      const report = (event: ExecutionEvent) => defer(() => job.updateProgress(jobProgress(event)));
      const watchOptions = {
        onUserInput: settings.onUserInput, cancelOnUnsubscribe: settings.cancelOnAbort, tracking: settings.tracking, ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
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
            output$.pipe(concatMap((event) => report(event).pipe(map(() => jobResult(event, resumedAs))))),
          );
        }),
      );
    };

    const fields = { kind: 'job' as const, flowId: data.flowId, key: name, ...(data.traceparent ? { resumedFrom: data.traceparent } : {}) };
    return traceJob(fields, jobXml(data.input, settings.toXml).pipe(concatMap(begin), concatMap(follow)), (c) => void (trace.traceparent = c.traceparent));
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

/** Ends the job when BullMQ aborts it: the stream is left (its requests aborted) and the job fails with the signal's reason. */
function untilAborted<T>(signal: AbortSignal | undefined): (source: Observable<T>) => Observable<T> {
  if (!signal) return (source) => source;
  const aborted$ = defer(() => (signal.aborted ? of(true) : fromEvent(signal, 'abort').pipe(take(1))));
  const reason = () => (signal.reason instanceof Error ? signal.reason : new SmartFlowsError(`The job was cancelled${signal.reason === undefined ? '' : `: ${String(signal.reason)}`}`));
  return (source) => source.pipe(takeUntil(aborted$), throwIfEmpty(reason));
}
