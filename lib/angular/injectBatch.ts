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
import { followRequest } from './followRequest';
import { injectorFor } from './injectionContext';

/** Options of {@link injectBatch}: those of `runBatch`, and an `injector`. */
export interface InjectBatchOptions extends BatchOptions {
  /** The injector to use outside an injection context; the batch stops when it is destroyed. @default the current injection context's */
  injector?: Injector;
}

/** A batch as read-only signals, and what can be done with its jobs. */
export interface BatchRef {
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
  /** Runs the batch again after it ended (does nothing while active). */
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
 * batch. Every poll stops when the injector is destroyed.
 *
 * @param jobs - `{ flowId, input?, key? }` each, or a function giving them, or `null` for none yet
 * @param options - `concurrency`, `failFast`, the options of `run` for every job, and `injector`
 * @returns read-only signals and `cancel(key)`, `submitUserInput(key, values)`, `retry()`
 * @example
 * export class InvoicesComponent {
 *   readonly batch = injectBatch(customers.map((c) => ({ key: c.id, flowId: INVOICE_FLOW, input: { Invoice: c } })), { concurrency: 4 });
 * }
 * // template: {{ batch.percentage() }} % — @for (item of batch.items(); track item.key) { … }
 */
export function injectBatch(
  jobs: readonly BatchJob[] | null | undefined | (() => readonly BatchJob[] | null | undefined),
  options: InjectBatchOptions = {},
): BatchRef {
  const { injector: given, ...batchOptions } = options;
  const injector = injectorFor(injectBatch, given);
  const client = injector.get(SmartFlowsClient);
  const state = signal<State>({ active: false });
  const current = computed(() => (typeof jobs === 'function' ? jobs() : jobs));
  const restarts = signal(0);

  followRequest(injector, current, restarts, (list) => {
    if (!list) {
      state.set({ active: false });
      return undefined;
    }
    state.set({ active: true });
    return client.runBatch(list, batchOptions).subscribe({
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

  return {
    snapshot,
    items: computed(() => snapshot()?.items ?? []),
    percentage: computed(() => snapshot()?.percentage ?? 0),
    done: computed(() => snapshot()?.done ?? false),
    error: computed(() => state().error),
    isActive: computed(() => state().active),
    cancel: (key) => executionOf(key).then((id) => lastValueFrom(client.cancelExecution(id), { defaultValue: undefined })),
    submitUserInput: (key, values) => executionOf(key).then((id) => lastValueFrom(client.submitUserInput(id, values))),
    retry: () => {
      if (untracked(state).active || !untracked(current)) return;
      restarts.update((n) => n + 1);
    },
  };
}
