import { describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { firstValueFrom, NEVER, Observable, of } from 'rxjs';
import { isSmartFlowsAbortError, SmartFlowsError } from '../../lib/errors';
import { lazyModule } from '../../lib/internal/lazyModule';

// The lazily loaded parts of the client (lib/internal/loadEngine.ts, loadParts.ts): loaded at
// the first subscription only, nothing left running after an unsubscribe during the load, and
// once loaded exactly like a static import (synchronous at subscription).

/** A load whose promise the test settles. */
function controlledLoad<M>() {
  let settle!: { resolve: (m: M) => void; reject: (e: unknown) => void };
  const load = jest.fn(() => new Promise<M>((resolve, reject) => (settle = { resolve, reject })));
  return { load, settle: () => settle };
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('lazyModule', () => {
  it('loads nothing until subscription, and the module once for every later call', async () => {
    const { load, settle } = controlledLoad<{ answer: number }>();
    const withPart = lazyModule('test', load);
    const first$ = withPart((m) => of(m.answer));
    const second$ = withPart((m) => of(m.answer + 1));
    expect(load).not.toHaveBeenCalled();
    const answers = Promise.all([firstValueFrom(first$), firstValueFrom(second$)]);
    expect(load).toHaveBeenCalledTimes(1);
    settle().resolve({ answer: 41 });
    await expect(answers).resolves.toEqual([41, 42]);
    await firstValueFrom(withPart((m) => of(m)));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('runs the call synchronously at subscription once the module is loaded (as a static import)', async () => {
    const withPart = lazyModule('test', () => Promise.resolve({ answer: 1 }));
    await firstValueFrom(withPart(() => of(0)));
    const seen: number[] = [];
    withPart((m) => of(m.answer)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([1]);
  });

  it('shows the module as `loaded` once it loaded, undefined before and while it loads (for synchronous code: client.redactText)', async () => {
    const { load, settle } = controlledLoad<{ answer: number }>();
    const withPart = lazyModule('test', load);
    expect(withPart.loaded).toBeUndefined();
    const answer = firstValueFrom(withPart((m) => of(m.answer)));
    expect(withPart.loaded).toBeUndefined();
    const module = { answer: 3 };
    settle().resolve(module);
    await answer;
    expect(withPart.loaded).toBe(module);
  });

  it('never subscribes the call when the subscriber left while the module loaded', async () => {
    const { load, settle } = controlledLoad<object>();
    const withPart = lazyModule('test', load);
    const subscribed = jest.fn();
    const call$ = new Observable<never>(() => {
      subscribed();
    });
    const subscription = withPart(() => call$).subscribe();
    subscription.unsubscribe();
    settle().resolve({});
    await settled();
    expect(subscribed).not.toHaveBeenCalled();
  });

  it('unsubscribes the call (aborting its request) when the subscriber leaves after the load', async () => {
    const withPart = lazyModule('test', () => Promise.resolve({}));
    const left = jest.fn();
    const subscription = withPart(() => new Observable<never>(() => left)).subscribe();
    await settled();
    subscription.unsubscribe();
    expect(left).toHaveBeenCalledTimes(1);
  });

  it('errors with a SmartFlowsError (the failure as cause) when the load fails, and loads again at the next subscription', async () => {
    const failure = new TypeError('Failed to fetch dynamically imported module');
    const load = jest.fn<() => Promise<{ ok: boolean }>>().mockRejectedValueOnce(failure).mockResolvedValue({ ok: true });
    const withPart = lazyModule('engine', load);
    const error = await firstValueFrom(withPart(() => NEVER)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartFlowsError);
    expect(error).toMatchObject({ message: 'smart-flows-rx could not load its engine part', cause: failure });
    await expect(firstValueFrom(withPart((m) => of(m.ok)))).resolves.toBe(true);
    expect(load).toHaveBeenCalledTimes(2);
  });

  describe('with a signal (the facade of run, watch, runBatch, startExecution, downloadDocument: the call observes it only once loaded)', () => {
    /** How a stream ended, as it was seen synchronously. */
    function watchEnd<T>(call$: Observable<T>) {
      const seen: { values: T[]; error?: unknown; complete?: boolean } = { values: [] };
      const subscription = call$.subscribe({ next: (v) => seen.values.push(v), error: (e: unknown) => (seen.error = e), complete: () => (seen.complete = true) });
      return { seen, subscription };
    }

    it('a signal already aborted errors at once with SmartFlowsAbortError (its reason as cause) and loads nothing', () => {
      const { load } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const reason = new Error('gone');
      controller.abort(reason);
      const { seen } = watchEnd(withPart(() => of(1), controller.signal));
      expect(isSmartFlowsAbortError(seen.error)).toBe(true);
      expect(seen.error).toMatchObject({ name: 'AbortError', cause: reason });
      expect((seen.error as { executionMayExist?: boolean }).executionMayExist).toBeUndefined();
      expect(load).not.toHaveBeenCalled();
    });

    it('an abort while the module loads ends the stream at once with the AbortError, never subscribes the call, and leaves no listener', async () => {
      const { load, settle } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const subscribed = jest.fn();
      const { seen } = watchEnd(withPart(() => new Observable<never>(() => void subscribed()), controller.signal));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort();
      // At once: not at the load's end.
      expect(isSmartFlowsAbortError(seen.error)).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      settle().resolve({});
      await settled();
      expect(subscribed).not.toHaveBeenCalled();
      expect(seen.values).toEqual([]);
      expect(seen.complete).toBeUndefined();
    });

    it('names the execution the stream was given (watch) in the error of an abort during the load', () => {
      const { load } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const { seen } = watchEnd(withPart(() => of(1), controller.signal, '6de9206a-de42-4182-8f86-a9a8d29fbd56'));
      controller.abort();
      expect(seen.error).toMatchObject({ name: 'AbortError', executionId: '6de9206a-de42-4182-8f86-a9a8d29fbd56' });
    });

    // Attack 6, L2: the abort error reads the reason's name; a reason that throws on it gave the raw throw.
    it.each(['pre', 'load'] as const)('a reason whose name cannot be read (aborted %s): SmartFlowsAbortError all the same, the reason as cause', (at) => {
      const { load } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      if (at === 'pre') controller.abort(revoked.proxy);
      const { seen } = watchEnd(withPart(() => of(1), controller.signal));
      if (at === 'load') controller.abort(revoked.proxy);
      expect(isSmartFlowsAbortError(seen.error)).toBe(true);
      expect((seen.error as Error).cause).toBe(revoked.proxy);
    });

    it('an abort while a failing load is under way wins, and the failure that follows changes nothing', async () => {
      const { load, settle } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const { seen } = watchEnd(withPart(() => of(1), controller.signal));
      controller.abort();
      settle().reject(new TypeError('Failed to fetch dynamically imported module'));
      await settled();
      expect(isSmartFlowsAbortError(seen.error)).toBe(true);
      // The failed load is forgotten: the next subscription loads again.
      withPart(() => of(2)).subscribe().unsubscribe();
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('once loaded, the signal is the call\'s alone: the listener of the load is gone before the call subscribes', async () => {
      const { load, settle } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const listenersAtCall: number[] = [];
      const { seen } = watchEnd(
        withPart(
          () =>
            new Observable<number>(() => {
              listenersAtCall.push(getEventListeners(controller.signal, 'abort').length);
            }),
          controller.signal,
        ),
      );
      settle().resolve({});
      await settled();
      expect(listenersAtCall).toEqual([0]);
      // An abort after the load is the call's to observe (here it does not): the load's part adds nothing.
      controller.abort();
      expect(seen.error).toBeUndefined();
    });

    it('a load that fails before the abort errors with its SmartFlowsError and leaves no listener', async () => {
      const { load, settle } = controlledLoad<object>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const { seen } = watchEnd(withPart(() => of(1), controller.signal));
      settle().reject(new TypeError('Failed to fetch dynamically imported module'));
      await settled();
      expect(seen.error).toBeInstanceOf(SmartFlowsError);
      expect(isSmartFlowsAbortError(seen.error)).toBe(false);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      controller.abort();
    });

    // Attack 6, M4: a `watch` with `cancelOnUnsubscribe` left while the engine loads must still
    // cancel: `left` is called at a leave during the load (an unsubscription, or an abort after
    // subscription), once; the caller does what the leave still needs.
    it.each(['unsubscribe', 'abort'] as const)('a leave (%s) while the module loads calls `left` at once, once', async (leaveBy) => {
      const { load, settle } = controlledLoad<{ answer: number }>();
      const withPart = lazyModule('test', load);
      const controller = new AbortController();
      const left = jest.fn();
      const { subscription } = watchEnd(withPart(() => of(1), controller.signal, undefined, left));
      expect(left).not.toHaveBeenCalled();
      if (leaveBy === 'abort') controller.abort();
      else subscription.unsubscribe();
      expect(left).toHaveBeenCalledTimes(1);
      subscription.unsubscribe();
      settle().resolve({ answer: 1 });
      await settled();
      expect(left).toHaveBeenCalledTimes(1);
    });

    it('`left` is not called for a signal already aborted, a failed load, a leave after the load, or an end', async () => {
      const left = jest.fn();
      const { load } = controlledLoad<object>();
      watchEnd(lazyModule('test', load)(() => of(1), AbortSignal.abort(), undefined, left));
      const failing = controlledLoad<object>();
      const failed = watchEnd(lazyModule('test', failing.load)(() => of(1), undefined, undefined, left));
      failing.settle().reject(new TypeError('Failed to fetch dynamically imported module'));
      await settled();
      failed.subscription.unsubscribe();
      const loaded = lazyModule('test', () => Promise.resolve({}));
      const { seen, subscription } = watchEnd(loaded(() => NEVER, undefined, undefined, left));
      await settled();
      subscription.unsubscribe();
      watchEnd(loaded(() => of(1), undefined, undefined, left));
      await settled();
      expect(failed.seen.error).toBeInstanceOf(SmartFlowsError);
      expect(seen.error).toBeUndefined();
      expect(left).not.toHaveBeenCalled();
    });

    it('once loaded, a signal changes nothing: the call runs at subscription, synchronously', async () => {
      const withPart = lazyModule('test', () => Promise.resolve({ answer: 1 }));
      await firstValueFrom(withPart(() => of(0)));
      const controller = new AbortController();
      const { seen } = watchEnd(withPart((m) => of(m.answer), controller.signal));
      expect(seen).toEqual({ values: [1], complete: true });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('leaves a value that is not an AbortSignal to the call (its check is the one place the option is checked)', async () => {
      const withPart = lazyModule('test', () => Promise.resolve({}));
      const call = jest.fn(() => of(1));
      await expect(firstValueFrom(withPart(call, 'soon' as unknown as AbortSignal))).resolves.toBe(1);
      expect(call).toHaveBeenCalledTimes(1);
    });
  });
});
