import { describe, it, expect } from '@jest/globals';
import { isGuid, mulberry32, randomGuid } from '../../../lib/testing/engine/random.js';

describe('mulberry32', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const n of seqA) expect(n >= 0 && n < 1).toBe(true);
  });
});

describe('randomGuid', () => {
  it('draws version-4-shaped GUIDs, reproducibly', () => {
    const id = randomGuid(mulberry32(7));
    expect(isGuid(id)).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomGuid(mulberry32(7))).toBe(id);
  });

  it('isGuid refuses anything but the 8-4-4-4-12 hex form', () => {
    expect(isGuid('not-a-guid')).toBe(false);
    expect(isGuid('5f1a0000-0000-4000-8000-00000000000')).toBe(false);
    expect(isGuid('5F1A0000-0000-4000-8000-000000000001')).toBe(true);
  });
});
