import { computed, type Resource, type ResourceRef, type ResourceStatus, type Signal, signal, untracked } from '@angular/core';

/** The signals of a ref that its Angular `Resource` is read from. */
export interface ResourceParts<T> {
  /** The value, once there. */
  readonly value: Signal<T | undefined>;
  /** Why it stopped, if it failed. */
  readonly error: Signal<unknown>;
  /** True while it is followed. */
  readonly active: Signal<boolean>;
}

/**
 * The members that give `injectExecution`'s and `injectBatch`'s refs the shape of Angular's
 * `Resource`, beside their own signals (whose `status` is the flow's, so the ref itself is not a
 * `Resource`: `resource` is one; `executionResource` gives a whole `ResourceRef`).
 */
export interface ResourceShape<T> {
  /**
   * The ref's value (a run's output once it ended in Success or Warning; a batch's latest
   * snapshot), under the name of Angular's `Resource`, whose rule it follows: while there is an
   * `error()` it throws an Error whose `cause` is that error, as Angular's `ResourceValueError`
   * (read `hasValue()` first, or the ref's own `output()` / `snapshot()`).
   */
  readonly value: Signal<T | undefined>;
  /** True while it runs or is followed: the ref's `isActive`, under the name of Angular's `Resource`. */
  readonly isLoading: Signal<boolean>;
  /** Whether `value()` holds a value (reactive). */
  hasValue(): boolean;
  /**
   * The ref's `retry()`, as a `Resource`'s `reload()`.
   * @returns true when it started again; false while active or with nothing to run again
   */
  reload(): boolean;
  /** The `debugName` given in the options, for Angular DevTools. */
  readonly debugName: string | undefined;
  /**
   * The ref as an Angular `Resource`, for code that takes one: its `status` is the Resource's
   * (`'idle'`, `'loading'` while it runs, `'resolved'` with the value, `'error'`), not the flow's;
   * `error()` is an `Error`; `value()` is `value()`.
   */
  readonly resource: Resource<T | undefined>;
}

/** The Resource-shaped members of a ref, read from its `parts`; `reload` is the ref's `retry`. */
export function resourceShape<T>(parts: ResourceParts<T>, reload: () => boolean, debugName: string | undefined): ResourceShape<T> {
  const resource = asResource(parts, debugName);
  return { value: resource.value, isLoading: parts.active, hasValue: () => resource.hasValue(), reload, debugName, resource };
}

/**
 * A ref's signals as Angular's `Resource` (the shape of `resource`, `rxResource`, `httpResource`),
 * read-only: `status` is `'error'` once it failed, `'loading'` while it is followed, `'resolved'`
 * once its value is there, `'idle'` otherwise (nothing asked, or on the server); `value()` throws
 * in the `'error'` status, as a Resource's does (an Error whose `cause` is `error()`); `error()`
 * is always an `Error`. Angular 22's
 * `snapshot` is there too (its type is not named here: Angular 20 has none).
 */
export function asResource<T>(parts: ResourceParts<T>, debugName: string | undefined): Resource<T | undefined> {
  // Built untyped, then cast: Angular 22's Resource has `snapshot` and Angular 20's does not, and
  // `hasValue()` is a type guard (`this is Resource<…>`) that a plain function cannot declare here.
  return resourceSignals(parts, debugName, undefined) as unknown as Resource<T | undefined>;
}

/** What a `ResourceRef` controls beside its parts: its request, and how to run it again or leave it for good. */
export interface ResourceControl {
  /** The request now followed: a local value or a kept one belongs to the request it was set under. */
  readonly request: Signal<unknown>;
  /** Runs again after the end; false while active or with nothing to run. */
  restart(): boolean;
  /** Leaves for good and returns to idle. */
  destroy(): void;
}

/**
 * A ref's signals as a writable Angular `ResourceRef`, with Angular's rules for what the
 * read-only one has not: `set(value)` / `update(fn)` show a local value (status `'local'`) until
 * `reload()` or a new request; `reload()` after the end runs again (`restart`) and keeps showing
 * the value it had, or the error (status `'reloading'`, `value()` then undefined), until the new
 * outcome; `destroy()` leaves for good (status
 * `'idle'`; `set` and `reload` then do nothing).
 * Unlike Angular's `resource`, `set()` does not leave what is followed: the ref's own signals
 * (progress, percentage) go on, and `reload()` while it still runs shows it again.
 */
export function asResourceRef<T>(parts: ResourceParts<T>, control: ResourceControl, debugName: string | undefined): ResourceRef<T | undefined> {
  const local = signal<Held<T> | undefined>(undefined);
  const kept = signal<Held<T> | undefined>(undefined);
  let destroyed = false;
  const overlay: Overlay<T> = {
    // Each belongs to the request it was set under; the kept one only while the rerun is followed.
    local: computed(() => held(local(), control.request())),
    kept: computed(() => (parts.active() ? held(kept(), control.request()) : undefined)),
  };
  const resource = resourceSignals(parts, debugName, overlay);
  const set = (value: T | undefined): void => {
    if (!destroyed) local.set({ value, request: untracked(control.request) });
  };
  // The readonly view is a signal of its own, without the writable methods added below.
  const readonlyValue = computed(() => resource.value());
  const value = Object.assign(resource.value, {
    set,
    update: (updater: (value: T | undefined) => T | undefined) => set(updater(untracked(resource.value))),
    asReadonly: () => readonlyValue,
  });
  const ref = {
    ...resource,
    value,
    set: value.set,
    update: value.update,
    asReadonly: () => ref,
    reload: (): boolean => {
      if (destroyed) return false;
      const status = untracked(resource.status);
      const shown = status === 'resolved' || status === 'local' ? untracked(resource.value) : undefined;
      const failure = status === 'error' ? untracked(resource.error) : undefined;
      local.set(undefined);
      // A local value over a run still followed: reloading shows that run again.
      if (status === 'local' && untracked(parts.active)) return true;
      if (!control.restart()) return status === 'local';
      const request = untracked(control.request);
      kept.set(failure !== undefined ? { value: undefined, error: failure, request } : shown === undefined ? undefined : { value: shown, request });
      return true;
    },
    destroy: () => {
      destroyed = true;
      local.set(undefined);
      kept.set(undefined);
      control.destroy();
    },
  };
  return ref as unknown as ResourceRef<T | undefined>;
}

/** A value (or, kept while reloading from an error, that error) shown over the parts' own, and the request it was set under. */
interface Held<T> {
  readonly value: T | undefined;
  readonly error?: Error;
  readonly request: unknown;
}

/** What a writable resource shows over its parts: a local value, or the value or error kept while it reloads. */
interface Overlay<T> {
  readonly local: Signal<Held<T> | undefined>;
  readonly kept: Signal<Held<T> | undefined>;
}

function held<T>(value: Held<T> | undefined, request: unknown): Held<T> | undefined {
  return value && value.request === request ? value : undefined;
}

/** The one rule for a Resource's status, value and error over a ref's parts (and a writable one's overlay). */
function resourceSignals<T>(parts: ResourceParts<T>, debugName: string | undefined, overlay: Overlay<T> | undefined) {
  const named = (what: string) => (debugName === undefined ? undefined : `${debugName}.${what}`);
  const failed = computed(() => toError(parts.error()));
  // While reloading from an error, Angular's Resource still shows that error (and no value).
  const error = computed(() => (overlay?.local() ? undefined : (failed() ?? overlay?.kept()?.error)), { debugName: named('error') });
  const status = computed<ResourceStatus>(
    () => {
      if (overlay?.local()) return 'local';
      if (failed() !== undefined) return 'error';
      if (parts.active()) return overlay?.kept() ? 'reloading' : 'loading';
      return parts.value() !== undefined ? 'resolved' : 'idle';
    },
    { debugName: named('status') },
  );
  const value = computed(
    () => {
      const local = overlay?.local();
      if (local) return local.value;
      const failure = failed();
      if (failure !== undefined) throw new ResourceValueError(failure);
      return parts.value() ?? overlay?.kept()?.value;
    },
    { debugName: named('value') },
  );
  const snapshot = computed(() => (status() === 'error' ? { status: 'error' as const, error: error()! } : { status: status(), value: value() }), { debugName: named('snapshot') });
  return {
    value,
    status,
    error,
    isLoading: computed(() => status() === 'loading' || status() === 'reloading', { debugName: named('isLoading') }),
    snapshot,
    hasValue: () => status() !== 'error' && value() !== undefined,
  };
}

/**
 * What `value()` throws in the `'error'` status, as Angular's own (not exported) `ResourceValueError`:
 * the same message, and the error as its `cause`.
 */
class ResourceValueError extends Error {
  constructor(error: Error) {
    super(`Resource is currently in an error state (see Error.cause for details): ${error.message}`, { cause: error });
    this.name = 'ResourceValueError';
  }
}

/** An `Error` for a failure that may be anything (the library's failures are Errors already). */
function toError(failure: unknown): Error | undefined {
  if (failure === undefined) return undefined;
  return failure instanceof Error ? failure : new Error(String(failure), { cause: failure });
}
