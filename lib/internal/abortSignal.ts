/**
 * Whether `value` is an `AbortSignal`, of any realm (checked by its shape: an iframe's or a
 * polyfill's signal is not an instance of this realm's class). The one rule for the `signal`
 * option: `endOnAbort` errors with `SmartFlowsInputError` for any other value, and a lazy part's
 * wait for its load (`lazyModule`) observes only a signal that passes it.
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  const s = value as Partial<AbortSignal> | null;
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}
