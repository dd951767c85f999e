import { effect, type EffectRef, type Injector, type Signal, untracked } from '@angular/core';
import type { Subscription } from 'rxjs';

/**
 * Runs `open(request)` in an effect, again whenever `request` or `restarts` changes: the previous
 * subscription ends first (like `switchMap`), and the last one ends when the injector is destroyed
 * (the effect's cleanup runs on `DestroyRef`), so no poll outlives its component or service.
 * @returns the effect: destroying it ends the last subscription for good
 */
export function followRequest<T>(
  injector: Injector,
  request: Signal<T>,
  restarts: Signal<number>,
  open: (request: T) => Subscription | undefined,
): EffectRef {
  return effect(
    (onCleanup) => {
      const current = request();
      restarts();
      // Untracked: the subscription writes the state signals, which this effect must not follow.
      const subscription = untracked(() => open(current));
      if (subscription) onCleanup(() => subscription.unsubscribe());
    },
    { injector },
  );
}

/** Equal when both are absent or have the same keys with identical values (a signal's `equal`). */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keysA = Object.keys(a);
  return keysA.length === Object.keys(b).length && keysA.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
