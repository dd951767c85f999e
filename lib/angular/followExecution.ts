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
import { executionIdOf, mayStartAgain } from './startAgain';
import { afterFirstInterval, type Snapshot, streamHost } from './streamHost';

interface State {
  active: boolean;
  executionId?: string;
  progress?: FlowProgress;
  output?: FlowExecution;
  error?: unknown;
}

const IDLE: State = { active: false };

/** What a request function threw: the ref shows it as its error, as Angular's `resource` does. */
class RequestFailure {
  constructor(readonly error: unknown) {}
}

/**
 * One followed execution: the one owner of its state, shared by `injectExecution` (an
 * `ExecutionRef`) and `executionResource` (a `ResourceRef`), which only read it differently.
 * Runs or watches `request` in `injector`: on the server nothing starts or polls (one snapshot
 * of a watched execution with `withServerRendering({ snapshot: true })`); in the browser the run
 * starts, a watch takes the server's snapshot over, and a new request leaves the previous one.
 * A request function that throws gives the error state (its error in `error`), and is read again
 * when the signals it read change.
 * @returns the ref's signals and actions; `request` (the one followed, compared key by key),
 *   `restart()` (after the end: watches again an execution that may still run, starts anew only
 *   when `mayStartAgain`; false while active, without a request, before the request's first
 *   follow, when it may run twice, or once destroyed) and `destroy()` (leaves it for good: it
 *   goes on on the server unless `cancelOnUnsubscribe`; back to the idle state, keeping the
 *   `executionId` so that `cancel()` still reaches it)
 */
export function followExecution(
  injector: Injector,
  request: ExecutionRequest | null | undefined | (() => ExecutionRequest | null | undefined),
  debugName: string | undefined,
) {
  const client = injector.get(SmartFlowsClient);
  const state = signal<State>(IDLE, { debugName });
  const current = computed(
    () => {
      try {
        return typeof request === 'function' ? request() : request;
      } catch (error) {
        return new RequestFailure(error);
      }
    },
    { equal: shallowEqual },
  );
  const restarts = signal(0);
  let resume: { request: ExecutionRequest; executionId: string } | undefined;
  // The request the state belongs to: until the effect opens a new one, restart() leaves it to it.
  let opened: ExecutionRequest | RequestFailure | null | undefined;
  let destroyed = false;
  const host = streamHost(injector);

  const effect = followRequest(injector, current, restarts, (req) => {
    const watchId = resume && resume.request === req ? resume.executionId : undefined;
    resume = undefined;
    opened = req;
    if (req instanceof RequestFailure) {
      state.set({ active: false, error: req.error });
      return undefined;
    }
    if (!req) {
      state.set(IDLE);
      return undefined;
    }
    // On the server nothing starts or polls: the initial state, or one snapshot of a watched execution.
    if (host.server) {
      state.set(IDLE);
      return req.executionId === undefined ? undefined : host.readSnapshot(client, req.executionId, (snapshot) => state.set(renderedState(snapshot, req)));
    }
    const rendered = req.executionId !== undefined && !watchId ? host.takeSnapshot(req.executionId) : undefined;
    // An execution the server rendered as ended well is shown as it is, with no request.
    if (rendered && renderedState(rendered, req).output) {
      state.set(renderedState(rendered, req));
      return undefined;
    }
    state.set(watchId ? { active: true, executionId: watchId } : rendered ? { active: true, executionId: rendered.progress.id, progress: rendered.progress } : { active: true });
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
    if (!id) throw new SmartFlowsInputError(destroyed ? `No execution to ${what}: the ref was destroyed before the start answered` : `No execution to ${what} yet: the start has not answered`);
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
      // A new request not followed yet starts on its own (Angular's reload() is false then too).
      if (destroyed || s.active || !req || req instanceof RequestFailure || req !== opened) return false;
      if (s.error !== undefined && req.executionId === undefined) {
        const id = s.executionId ?? executionIdOf(s.error);
        if (!mayStartAgain(s.error, id)) {
          // It may still run: watch it again; without its id, never start it a second time.
          if (id === undefined) return false;
          resume = { request: req, executionId: id };
        }
      }
      restarts.update((n) => n + 1);
      return true;
    },
    destroy: () => {
      destroyed = true;
      effect.destroy();
      state.update((s) => ({ ...IDLE, ...(s.executionId === undefined ? {} : { executionId: s.executionId }) }));
    },
  };
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

/** The state of a snapshot the server rendered: its output only when the request does not download documents (the browser does). */
function renderedState({ progress, execution }: Snapshot, req: ExecutionRequest): State {
  return { active: false, executionId: progress.id, progress, ...(execution && !req.downloadDocuments ? { output: execution } : {}) };
}

function sameDocuments(a: DocumentReference[], b: DocumentReference[]): boolean {
  return a.length === b.length && a.every((d, i) => d.id === b[i]?.id && d.displayName === b[i]?.displayName);
}
