import { computed, type Injector, type Signal, signal, untracked } from '@angular/core';
import { lastValueFrom } from 'rxjs';
import {
  type BatchItem,
  type BatchJob,
  type BatchOptions,
  type BatchSnapshot,
  type FlowProgress,
  SmartFlowsClient,
  SmartFlowsInputError,
} from 'smart-flows-rx';
import { type ResourceShape, resourceShape } from './asResource';
import { followRequest } from './followRequest';
import { injectorFor } from './injectionContext';
import { retryFailedJobs, type RetryPlan, retryPlan } from './retryFailedJobs';
import { sameJobs } from './sameJobs';
import { streamHost } from './streamHost';

/** Options of {@link injectBatch}: those of `runBatch`, and an `injector`. */
export interface InjectBatchOptions extends BatchOptions {
  /** The injector to use outside an injection context; the batch stops when it is destroyed. @default the current injection context's */
  injector?: Injector;
  /** A name for Angular DevTools: the ref's `debugName`, and its signals'. @default undefined */
  debugName?: string;
}

/** A batch as read-only signals, and what can be done with its jobs. */
export interface BatchRef extends ResourceShape<BatchSnapshot> {
  /** The latest snapshot; `undefined` before the first. */
  readonly snapshot: Signal<BatchSnapshot | undefined>;
  /** The jobs in job order (`key`, `state`, `progress`, `execution`, `error`…). @default [] */
  readonly items: Signal<readonly BatchItem[]>;
  /** The whole batch, 0–100. @default 0 */
  readonly percentage: Signal<number>;
  /** True once every job has ended. */
  readonly done: Signal<boolean>;
  /** Why the batch itself stopped (bad jobs, `failFast`); a failed job is in its item instead. */
  readonly error: Signal<unknown>;
  /** True from the start until the last snapshot (or the error). */
  readonly isActive: Signal<boolean>;
  /** Cancels the execution of the job with this `key`; its item then fails with status `Canceled`. */
  cancel(key: string): Promise<void>;
  /** Answers the form of the job with this `key` (its execution in `UserInput`). */
  submitUserInput(key: string, values: Record<string, unknown>): Promise<FlowProgress>;
  /**
   * After the batch ended, runs again the jobs that did not succeed, keeping the succeeded ones'
   * items: a job that never started, or whose flow ended badly or whose start was refused. A
   * job whose execution may still run (a network failure or a timeout while following it, a
   * start whose answer was lost) is left as it is, never started twice: watch its
   * `executionId`. With a `journal`, runs the batch again on it instead (a resumption: ended
   * jobs come from the journal, started ones are watched, lost starts reconciled). Does nothing
   * while the batch is active, or when no job is left to run again.
   */
  retry(): void;
}

interface State {
  active: boolean;
  snapshot?: BatchSnapshot;
  error?: unknown;
}

/**
 * Runs a batch (`client.runBatch`) as signals, for a dashboard component or a service that
 * outlives the page. Pass a function (a signal) for jobs that change: a new list starts a new
 * batch, and a recomputed list equal to the last (same keys, flows and inputs, compared by
 * value) changes nothing. Every poll stops when the injector is destroyed. On the server platform
 * no job is started: the batch renders its initial state and runs in the browser. With zone.js,
 * polls run outside Angular's zone and the signals are set inside it.
 *
 * @param jobs - `{ flowId, input?, key? }` each, or a function giving them, or `null` for none yet
 * @param options - `concurrency`, `failFast`, the options of `run` for every job, `injector`, `debugName`
 * @returns read-only signals and `cancel(key)`, `submitUserInput(key, values)`, `retry()`; the
 *   shape of Angular's `Resource` too (`value`, `isLoading`, `hasValue()`, `reload()`, and `resource`)
 * @example
 * export class InvoicesComponent {
 *   readonly batch = injectBatch(customers.map((c) => ({ key: c.id, flowId: INVOICE_FLOW, input: { Invoice: c } })), { concurrency: 4 });
 * }
 * // template: {{ batch.percentage() }} % — \@for (item of batch.items(); track item.key) { … }
 */
export function injectBatch(
  jobs: readonly BatchJob[] | null | undefined | (() => readonly BatchJob[] | null | undefined),
  options: InjectBatchOptions = {},
): BatchRef {
  const { injector: given, debugName, ...batchOptions } = options;
  const injector = injectorFor(injectBatch, given);
  const client = injector.get(SmartFlowsClient);
  const state = signal<State>({ active: false }, { debugName });
  const current = computed(() => (typeof jobs === 'function' ? jobs() : jobs), { equal: sameJobs });
  const restarts = signal(0);
  // Set by retry(), taken by the run it starts (and only for the list it was made for).
  let plan: RetryPlan | undefined;
  const host = streamHost(injector);

  followRequest(injector, current, restarts, (list) => {
    const retrying = plan?.jobs === list ? plan : undefined;
    plan = undefined;
    // A batch starts flows: on the server it renders its initial state and runs in the browser.
    if (!list || host.server) {
      state.set({ active: false });
      return undefined;
    }
    state.set(retrying ? { active: true, snapshot: retrying.base } : { active: true });
    return host.follow(retrying ? retryFailedJobs(client, retrying, batchOptions) : client.runBatch(list, batchOptions), {
      next: (snapshot) => state.update((s) => ({ ...s, snapshot })),
      error: (error: unknown) => state.update((s) => ({ ...s, active: false, error })),
      complete: () => state.update((s) => ({ ...s, active: false })),
    });
  });

  const snapshot = computed(() => state().snapshot);
  const executionOf = (key: string): Promise<string> =>
    new Promise((resolve) => {
      const item = untracked(snapshot)?.items.find((i) => i.key === key);
      if (!item?.executionId) throw new SmartFlowsInputError(`No execution for job "${key}" yet`);
      resolve(item.executionId);
    });

  const error = computed(() => state().error);
  const isActive = computed(() => state().active);
  const restart = (): boolean => {
    const { active, snapshot: last } = untracked(state);
    const list = untracked(current);
    if (active || !list) return false;
    // Without a journal only what did not succeed runs again; with one, the journal decides.
    if (!batchOptions.journal && last) {
      const next = retryPlan(list, last);
      if (next.indices.length === 0) return false;
      plan = next;
    }
    restarts.update((n) => n + 1);
    return true;
  };

  return {
    snapshot,
    items: computed(() => snapshot()?.items ?? []),
    percentage: computed(() => snapshot()?.percentage ?? 0),
    done: computed(() => snapshot()?.done ?? false),
    error,
    isActive,
    cancel: (key) => executionOf(key).then((id) => lastValueFrom(client.cancelExecution(id), { defaultValue: undefined })),
    submitUserInput: (key, values) => executionOf(key).then((id) => lastValueFrom(client.submitUserInput(id, values))),
    retry: () => void restart(),
    ...resourceShape({ value: snapshot, error, active: isActive }, restart, debugName),
  };
}
