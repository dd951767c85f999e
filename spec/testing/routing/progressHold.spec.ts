import { describe, expect, it } from '@jest/globals';
import { parseProgressHold } from 'smart-flows-rx/testing';
import { holdSeconds, normalizeProgressHold } from '../../../lib/testing/routing/progressHold';

const asked = normalizeProgressHold();
const byDefault = normalizeProgressHold({ mode: 'default', defaultSeconds: 30 });
const defaultEverywhere = normalizeProgressHold({ mode: 'default', defaultSeconds: 30, minusOne: 'default', zero: 'default' });
const forever = normalizeProgressHold({ mode: 'default', minusOne: 'forever', zero: 'forever' });
const ignoring = normalizeProgressHold({ mode: 'ignore', defaultSeconds: 30 });
const neverHolds = normalizeProgressHold({ mode: 'ignore', defaultSeconds: 0 });

describe('holdSeconds: how long a server holds a progress call, per mode and timeout', () => {
  // [server, timeout query value (null: absent), seconds held]
  it.each<[string, ReturnType<typeof normalizeProgressHold>, string | null, number]>([
    ["'asked' (the default)", asked, null, 0],
    ["'asked'", asked, '-1', 0],
    ["'asked'", asked, '0', 0],
    ["'asked'", asked, '1', 1],
    ["'asked'", asked, '30', 30],
    ["'default' 30 s", byDefault, null, 30],
    ["'default' 30 s", byDefault, '', 30],
    ["'default' 30 s", byDefault, '-1', 0],
    ["'default' 30 s", byDefault, '0', 0],
    ["'default' 30 s", byDefault, '1', 1],
    ["'default' 30 s", byDefault, '10', 10],
    ["'default' 30 s, -1 and 0 = the default", defaultEverywhere, '-1', 30],
    ["'default' 30 s, -1 and 0 = the default", defaultEverywhere, '0', 30],
    ["'default' 30 s, -1 and 0 = the default", defaultEverywhere, '-5', 30],
    ["'default' 30 s, -1 and 0 = the default", defaultEverywhere, '1', 1],
    ["'default', -1 and 0 = until a change", forever, '-1', Infinity],
    ["'default', -1 and 0 = until a change", forever, '0', Infinity],
    ["'ignore' 30 s", ignoring, null, 30],
    ["'ignore' 30 s", ignoring, '1', 30],
    ["'ignore' 30 s", ignoring, '-1', 30],
    ["'ignore' 30 s", ignoring, 'soon', 30],
    ["'ignore' 0 s (never holds)", neverHolds, '30', 0],
    ["'ignore' 0 s (never holds)", neverHolds, null, 0],
  ])('%s with timeout %j holds %d s', (_name, hold, timeout, seconds) => {
    expect(holdSeconds(hold, timeout)).toBe(seconds);
  });

  it("refuses a timeout that is not a number, except where the server ignores it", () => {
    expect(holdSeconds(asked, 'soon')).toBe('invalid');
    expect(holdSeconds(byDefault, 'NaN')).toBe('invalid');
    expect(holdSeconds(ignoring, 'soon')).toBe(30);
  });

  it('-1 and 0 set to a meaning still answer at once in asked mode (it has no default hold)', () => {
    const h = normalizeProgressHold({ mode: 'asked', minusOne: 'forever', zero: 'default' });
    expect([holdSeconds(h, '-1'), holdSeconds(h, '0')]).toEqual([0, 0]);
  });

  it('refuses an unknown mode, meaning or a negative default', () => {
    expect(() => normalizeProgressHold({ mode: 'sometimes' as never })).toThrow(/progressHold.mode/);
    expect(() => normalizeProgressHold({ zero: 'later' as never })).toThrow(/minusOne and .zero/);
    expect(() => normalizeProgressHold({ defaultSeconds: -1 })).toThrow(/defaultSeconds/);
  });
});

describe('parseProgressHold (the simulator command line --hold)', () => {
  it.each([
    ['asked', { mode: 'asked', defaultSeconds: 30, minusOne: 'none', zero: 'none' }],
    ['default', { mode: 'default', defaultSeconds: 30, minusOne: 'none', zero: 'none' }],
    ['default:45', { mode: 'default', defaultSeconds: 45, minusOne: 'none', zero: 'none' }],
    ['default:30,minusOne=default,zero=forever', { mode: 'default', defaultSeconds: 30, minusOne: 'default', zero: 'forever' }],
    ['ignore:0', { mode: 'ignore', defaultSeconds: 0, minusOne: 'none', zero: 'none' }],
    [' ignore:30 ', { mode: 'ignore', defaultSeconds: 30, minusOne: 'none', zero: 'none' }],
  ])('reads %j', (text, hold) => {
    expect(parseProgressHold(text)).toEqual(hold);
  });

  it.each(['', 'always', 'default:-3', 'default:x', 'default,zero=later', 'default,one=none'])('refuses %j', (text) => {
    expect(() => parseProgressHold(text)).toThrow(TypeError);
  });
});
