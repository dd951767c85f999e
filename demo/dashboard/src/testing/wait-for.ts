/** Runs `check` until it stops throwing, every 20 ms for up to 10 s, then rethrows its last failure. */
export async function waitFor<T>(check: () => T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (failure) {
      if (Date.now() >= deadline) throw failure;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets pending promise callbacks and zero-delay timers run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
