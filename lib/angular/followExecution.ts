import { computed, type Injector, signal, untracked } from '@angular/core';
import { lastValueFrom } from 'rxjs';
import {
  type DocumentReference,
  type FlowExecution,
  type FlowProgress,
  findDocuments,
  isFlowExecutionError,
  type RunOptions,
  SmartFlowsClient,
  SmartFlowsInputError,
  type WatchOptions,
} from 'smart-flows-rx';
import { followRequest, shallowEqual } from './followRequest';
import type { ExecutionRequest, RunRequest } from './executionRequest';
import { afterFirstInterval, streamHost } from './streamHost';

interface State {
  active: boolean;
  executionId?: string;
  progress?: FlowProgress;
  output?: FlowExecution;
  error?: unknown;
}

const IDLE: State = { active: false };

/**
 * One followed execution: the one owner of its state, shared by `injectExecution` (an
 * `ExecutionRef`) and `executionResource` (a `ResourceRef`), which only read it differently.
 * Runs or watches `request` in `injector`: on the server nothing starts or polls (one snapshot
 * of a watched execution with `withServerRendering({ snapshot: true })`); in the browser the run
 * starts, a watch takes the server's snapshot over, and a new request leaves the previous one.
 * @returns the ref's signals and actions; `request` (the one followed, compared key by key),
 *   `restart()` (after the end: watches again an execution that may still run, else starts anew;
 *   false while active, without a request or once destroyed) and `destroy()` (leaves it for good:
 *   it goes on on the server unless `cancelOnUnsubscribe`; back to the idle state)
 */
export function followExecution(
  injector: Injector,
  request: ExecutionRequest | null | undefined | (() => ExecutionRequest | null | undefined),
  debugName: string | undefined,
) {
  const client = injector.get(SmartFlowsClient);
  const state = signal<State>(IDLE, { debugName });
  const current = computed(() => (typeof request === 'function' ? request() : request), { equal: shallowEqual });
  const restarts = signal(0);
  let resume: { request: ExecutionRequest; executionId: string } | undefined;
  let destroyed = false;
  const host = streamHost(injector);

  const effect = followRequest(injector, current, restarts, (req) => {
    const watchId = resume && resume.request === req ? resume.executionId : undefined;
    resume = undefined;
    if (!req) {
      state.set(IDLE);
      return undefined;
    }
    // On the server nothing starts or polls: the initial state, or one snapshot of a watched execution.
    if (host.server) {
      state.set(IDLE);
      return req.executionId === undefined ? undefined : host.readSnapshot(client, req.executionId, (progress) => state.set({ active: false, executionId: progress.id, progress }));
    }
    const rendered = req.executionId !== undefined && !watchId ? host.takeSnapshot(req.executionId) : undefined;
    state.set(watchId ? { active: true, executionId: watchId } : rendered ? { active: true, executionId: rendered.id, progress: rendered } : { active: true });
    const events = watchId
      ? client.watch(watchId, followOptions(req))
      : req.executionId !== undefined
        ? client.watch(req.executionId, followOptions(req))
        : client.run(req.flowId, req.input, runOptions(req));
    return host.follow(rendered ? afterFirstInterval(client, events) : events, {
      next: (event) =>
        state.update((s) => ({
          ...s,
          executionId: event.executionId,
          progress: event.progress,
          ...(event.type === 'output' ? { output: event.execution } : {}),
        })),
      error: (error: unknown) =>
        state.update((s) => ({
          ...s,
          active: false,
          error,
          ...(isFlowExecutionError(error) ? { progress: error.progress } : {}),
          executionId: s.executionId ?? executionIdOf(error),
        })),
      complete: () => state.update((s) => ({ ...s, active: false })),
    });
  });

  const executionId = computed(() => state().executionId);
  const progress = computed(() => state().progress);
  const output = computed(() => state().output);
  const needId = (what: string): string => {
    const id = untracked(executionId);
    if (!id) throw new SmartFlowsInputError(`No execution to ${what} yet: the start has not answered`);
    return id;
  };

  return {
    executionId,
    status: computed(() => progress()?.status),
    percentage: computed(() => progress()?.percentage ?? 0),
    message: computed(() => progress()?.message ?? ''),
    progress,
    output,
    documents: computed(() => findDocuments([progress()?.model, output()?.state]), { equal: sameDocuments }),
    error: computed(() => state().error),
    isActive: computed(() => state().active),
    request: current,
    cancel: (): Promise<void> =>
      new Promise<string>((resolve) => resolve(needId('cancel'))).then((id) => lastValueFrom(client.cancelExecution(id), { defaultValue: undefined })),
    submitUserInput: (values: Record<string, unknown>): Promise<FlowProgress> =>
      new Promise<string>((resolve) => resolve(needId('answer'))).then((id) => lastValueFrom(client.submitUserInput(id, values))),
    restart: () => {
      const s = untracked(state);
      const req = untracked(current);
      if (destroyed || s.active || !req) return false;
      const id = s.error !== undefined && !isFlowExecutionError(s.error) ? executionIdOf(s.error) : undefined;
      resume = id && req.executionId === undefined ? { request: req, executionId: id } : undefined;
      restarts.update((n) => n + 1);
      return true;
    },
    destroy: () => {
      destroyed = true;
      effect.destroy();
      state.set(IDLE);
    },
  };
}

function executionIdOf(error: unknown): string | undefined {
  const id = (error as { executionId?: unknown } | null)?.executionId;
  return typeof id === 'string' ? id : undefined;
}

/** The options of `watch` in a request (a resumed run keeps its own). */
function followOptions(req: ExecutionRequest): WatchOptions {
  const { onUserInput, cancelOnUnsubscribe, downloadDocuments, timeoutMs } = req;
  return defined({ onUserInput, cancelOnUnsubscribe, downloadDocuments, timeoutMs });
}

function runOptions(req: RunRequest): RunOptions {
  return defined({ ...followOptions(req), skipUserInput: req.skipUserInput });
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function sameDocuments(a: DocumentReference[], b: DocumentReference[]): boolean {
  return a.length === b.length && a.every((d, i) => d.id === b[i]?.id && d.displayName === b[i]?.displayName);
}
