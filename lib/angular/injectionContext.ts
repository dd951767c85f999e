import { assertInInjectionContext, type Injector, inject, Injector as InjectorToken } from '@angular/core';

/** The injector to work in: the one given, else the current injection context's (asserted). */
export function injectorFor(fn: (...args: never[]) => unknown, injector: Injector | undefined): Injector {
  if (injector) return injector;
  assertInInjectionContext(fn);
  return inject(InjectorToken);
}
