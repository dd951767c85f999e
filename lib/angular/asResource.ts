import { computed, type Resource, type ResourceStatus, type Signal } from '@angular/core';

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
 * A ref's signals as Angular's `Resource` (the shape of `resource`, `rxResource`, `httpResource`),
 * read-only: `status` is `'error'` once it failed, `'loading'` while it is followed, `'resolved'`
 * once its value is there, `'idle'` otherwise (nothing asked, or on the server); `value()` throws
 * in the `'error'` status, as a Resource's does; `error()` is always an `Error`. Angular 22's
 * `snapshot` is there too (its type is not named here: Angular 20 has none).
 */
export function asResource<T>(parts: ResourceParts<T>, debugName: string | undefined): Resource<T | undefined> {
  const named = (what: string) => (debugName === undefined ? undefined : `${debugName}.${what}`);
  const error = computed(() => toError(parts.error()), { debugName: named('error') });
  const status = computed<ResourceStatus>(() => (error() !== undefined ? 'error' : parts.active() ? 'loading' : parts.value() !== undefined ? 'resolved' : 'idle'), {
    debugName: named('status'),
  });
  const value = computed(
    () => {
      const failure = error();
      if (failure !== undefined) throw failure;
      return parts.value();
    },
    { debugName: named('value') },
  );
  const snapshot = computed(() => (status() === 'error' ? { status: 'error' as const, error: error()! } : { status: status(), value: value() }), { debugName: named('snapshot') });
  const resource = {
    value,
    status,
    error,
    isLoading: computed(() => status() === 'loading', { debugName: named('isLoading') }),
    snapshot,
    hasValue: () => status() !== 'error' && parts.value() !== undefined,
  };
  // Built untyped, then cast: Angular 22's Resource has `snapshot` and Angular 20's does not, and
  // `hasValue()` is a type guard (`this is Resource<…>`) that a plain function cannot declare here.
  return resource as unknown as Resource<T | undefined>;
}

/** An `Error` for a failure that may be anything (the library's failures are Errors already). */
function toError(failure: unknown): Error | undefined {
  if (failure === undefined) return undefined;
  return failure instanceof Error ? failure : new Error(String(failure), { cause: failure });
}
