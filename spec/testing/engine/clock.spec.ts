import { describe, it, expect } from '@jest/globals';
import { createVirtualClock } from 'smart-flows-rx/testing';

describe('createVirtualClock', () => {
  it('stands still until advanced, then fires due timers in time order', () => {
    const clock = createVirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    expect(clock.now()).toBe(1_000);
    clock.advance(15);
    expect(fired).toEqual(['a@1010']);
    expect(clock.now()).toBe(1_015);
    clock.advance(5);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers set by timers within the same advance, and honours clearTimeout', () => {
    const clock = createVirtualClock(0);
    const fired: number[] = [];
    const cleared = clock.setTimeout(() => fired.push(-1), 5);
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 10), 10);
    clock.clearTimeout(cleared);
    clock.advance(25);
    expect(fired).toEqual([20]);
  });

  it('advanceAsync lets promise continuations set further timers in the same call', async () => {
    const clock = createVirtualClock(0);
    const fired: number[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    void (async () => {
      await sleep(10);
      await sleep(10);
      fired.push(clock.now());
    })();
    await clock.advanceAsync(30);
    expect(fired).toEqual([20]);
  });
});
