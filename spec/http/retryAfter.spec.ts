import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter } from '../../lib/http/retryAfter';
import { MAX_TIMER_MS } from '../../lib/options';

const NOW = Date.parse('2024-05-01T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each<[string, string | null | undefined, number | undefined]>([
    ['absent', null, undefined],
    ['undefined', undefined, undefined],
    ['empty', '  ', undefined],
    ['whole seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['fractional seconds', '1.5', 1500],
    ['seconds with spaces around', ' 3 ', 3000],
    ['an HTTP date 30 s ahead', 'Wed, 01 May 2024 10:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Wed, 01 May 2024 09:00:00 GMT', 0],
    ['garbage', 'later please', undefined],
    ['a negative number', '-5', 0],
  ])('reads %s', (_, header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  it('clamps a delay above maxMs', () => {
    expect(parseRetryAfter('3600', NOW, 30_000)).toBe(30_000);
  });

  it('clamps at 2^31-1 ms even when maxMs is larger, since Node fires such timers at once', () => {
    expect(parseRetryAfter('99999999999', NOW, Number.MAX_SAFE_INTEGER)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2300 00:00:00 GMT', NOW, Number.MAX_SAFE_INTEGER)).toBe(MAX_TIMER_MS);
  });
});
