import { defer, from, fromEvent, map, type Observable, race, switchMap, tap } from 'rxjs';
import { SmartFlowsAbortError, SmartFlowsError } from '../errors';
import { isAbortSignal } from './abortSignal';

/**
 * Runs `use` with a lazily loaded module: see {@link lazyModule}.
 * @param signal - the caller's `signal` option, observed while the module loads (the call observes it once loaded)
 * @param executionId - the execution the call was given (`watch`), for the abort's error
 * @param left - called when the caller leaves while the module loads (unsubscribes, or its
 *   signal aborts after subscription), at once: what such a leave must still do (a `watch`'s cancel)
 */
export type WithModule<M> = <T>(use: (module: M) => Observable<T>, signal?: AbortSignal, executionId?: string, left?: () => void) => Observable<T>;

/** A {@link WithModule}, and the module once it has loaded (`undefined` before): for synchronous code that can do without it. */
export type LazyModule<M> = WithModule<M> & { readonly loaded: M | undefined };

/**
 * A part of the library loaded at its first use by a dynamic `import()` (in a browser app's
 * bundle, a chunk fetched only then), so an app that never calls it never loads it.
 * `withModule((m) => call$)` is cold: nothing is loaded or sent before subscription; it loads
 * the module (once for the whole program), then subscribes `use(module)`. Unsubscribing while
 * the module loads leaves nothing running and sends nothing. Once loaded, `use` runs at
 * subscription, synchronously, exactly as if the module had been imported statically. A
 * failed load (a chunk the network did not deliver) is a `SmartFlowsError` with the failure
 * as `cause`, and is tried again at the next subscription. `loaded` is the module once loaded.
 *
 * `withModule(use, signal)`: the call observes its `signal` itself once it runs (`endOnAbort`,
 * in the engine); until then, while the module loads, an abort leaves the wait (as an
 * unsubscription) and errors at once with `SmartFlowsAbortError` (nothing was sent: no
 * `executionMayExist`), however slow the chunk, or if it never comes. A signal already aborted
 * loads nothing. One listener, only during the load, removed before `use` subscribes; once
 * loaded, the signal adds nothing here. A value that is not an `AbortSignal` is left to the call.
 * `left` is called at such a leave (not for a signal already aborted, a failed load, a leave
 * once loaded: then the call is the one left).
 * @param part - names the part in the error of a failed load
 */
export function lazyModule<M>(part: string, load: () => Promise<M>): LazyModule<M> {
  let loaded: M | undefined;
  let loading: Promise<M> | undefined;
  const withModule: WithModule<M> = (use, signal, executionId, left) =>
    defer(() => {
      if (loaded) return use(loaded);
      const abortable = isAbortSignal(signal) ? signal : undefined;
      const aborted = () => new SmartFlowsAbortError(abortable!.reason, { executionId });
      if (abortable?.aborted) throw aborted();
      loading ??= load().then(
        (module) => (loaded = module),
        (cause: unknown) => {
          loading = undefined;
          throw new SmartFlowsError(`smart-flows-rx could not load its ${part} part`, { cause });
        },
      );
      const module$ = from(loading);
      // `race`: the first of the load and the abort wins, the other is left (the abort's listener
      // removed before `use` subscribes; the load's wait before the error goes down).
      const abort$ =
        abortable &&
        fromEvent(abortable, 'abort').pipe(
          map(() => {
            left?.();
            throw aborted();
          }),
        );
      // (`unsubscribe`: only before the load's end, error or value.)
      return (abort$ ? race(module$, abort$) : module$).pipe(tap({ unsubscribe: left }), switchMap(use));
    });
  return Object.defineProperty(withModule, 'loaded', { get: () => loaded }) as LazyModule<M>;
}
