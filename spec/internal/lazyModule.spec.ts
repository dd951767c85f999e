import { describe, expect, it, jest } from '@jest/globals';
import { firstValueFrom, NEVER, Observable, of } from 'rxjs';
import { SmartFlowsError } from '../../lib/errors';
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
});
