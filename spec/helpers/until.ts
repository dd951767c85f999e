/**
 * Waits until `check` stops throwing (an `expect` that now holds), re-running it after each
 * turn of the event loop (`setImmediate`: after the I/O callbacks that could change its
 * answer), never on a fixed sleep and with no timer of its own. Rejects with the last
 * failure when `timeoutMs` of wall time passed without success: an outer bound only, generous
 * for a loaded machine (2 cores, several Jest runs), and below Jest's 20 s test timeout so that a
 * failure shows the assertion, not "Exceeded timeout".
 */
export async function until(check: () => unknown, { timeoutMs = 15_000 }: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
