import { defer, from, type Observable, switchMap } from 'rxjs';
import { SmartFlowsError } from '../errors';

/** Runs `use` with a lazily loaded module: see {@link lazyModule}. */
export type WithModule<M> = <T>(use: (module: M) => Observable<T>) => Observable<T>;

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
 * @param part - names the part in the error of a failed load
 */
export function lazyModule<M>(part: string, load: () => Promise<M>): LazyModule<M> {
  let loaded: M | undefined;
  let loading: Promise<M> | undefined;
  const withModule: WithModule<M> = (use) =>
    defer(() => {
      if (loaded) return use(loaded);
      loading ??= load().then(
        (module) => (loaded = module),
        (cause: unknown) => {
          loading = undefined;
          throw new SmartFlowsError(`smart-flows-rx could not load its ${part} part`, { cause });
        },
      );
      return from(loading).pipe(switchMap(use));
    });
  return Object.defineProperty(withModule, 'loaded', { get: () => loaded }) as LazyModule<M>;
}
