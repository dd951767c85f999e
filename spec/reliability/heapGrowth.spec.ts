import { describe, expect, it } from '@jest/globals';
import { heapAfterGc, ownHeapGrowth } from './support/gc';

const MB = 1_000_000;
const readings = (list: [number, number][]) => list.map(([mb, contexts]) => ({ bytes: mb * MB, contexts }));

// What `npm run soak` measured when the unsubscribe soak ran after the crash and fault soaks
// (2026-12-07, Node 20): its baseline still held the fault soak's Jest environment (4 native
// contexts), freed during the first slice (3). The plain figure, -18.0 %, failed the soak's
// |delta| < 10 % check (reported as "17"/"18"); the client's own growth was +0.8 %.
const RECORDED = readings([[57.33, 4], [46.61, 3], [46.83, 3], [47.07, 3], [47.0, 3]]);

describe('the heap growth a scenario caused itself (ownHeapGrowth)', () => {
  it('leaves out the slice in which an earlier test file’s environment was freed', () => {
    const plain = ((RECORDED.at(-1)!.bytes - RECORDED[0]!.bytes) / RECORDED[0]!.bytes) * 100;
    expect(plain).toBeLessThan(-10);
    const growth = ownHeapGrowth(RECORDED);
    expect(growth).toMatchObject({ stepsMeasured: 3, stepsLeftOut: 1 });
    expect(growth.bytesLeftOut).toBeCloseTo(-10.72 * MB, -3);
    expect(growth.percent).toBeCloseTo((0.39 / 46.61) * 100, 5);
  });

  it('still sees a leak that a freed environment would have hidden in the plain figure', () => {
    // +2 MB a slice, while 10 MB of an earlier file went away in the first one.
    const hidden = readings([[57, 4], [49, 3], [51, 3], [53, 3], [55, 3]]);
    expect(Math.abs(((55 - 57) / 57) * 100)).toBeLessThan(10);
    expect(ownHeapGrowth(hidden).percent).toBeGreaterThan(10);
  });

  it('counts every slice when no context came or went', () => {
    const growth = ownHeapGrowth(readings([[40, 2], [41, 2], [42, 2], [45, 2]]));
    expect(growth).toMatchObject({ stepsMeasured: 3, stepsLeftOut: 0, bytesLeftOut: 0 });
    expect(growth.percent).toBeCloseTo(12.5, 5);
  });

  it('reads the heap only once collections free nothing more, with the contexts alive', async () => {
    const reading = await heapAfterGc();
    expect(reading.contexts).toBeGreaterThanOrEqual(2);
    const again = await heapAfterGc();
    if (again.contexts === reading.contexts) {
      expect(Math.abs(again.bytes - reading.bytes)).toBeLessThan(reading.bytes * 0.02);
    } else {
      // An earlier test file's environment (a native context) went away between the readings:
      // V8 frees a realm when it chooses, which no number of collections forces. CI's Node 22
      // run once read two values 4.3 MB apart on a 74 MB heap, in a worker that had run earlier
      // files (whether a context went away was not recorded). ownHeapGrowth leaves such a slice
      // out for that reason; here the heap can only have gone down with it.
      expect(again.contexts).toBeLessThan(reading.contexts);
      expect(again.bytes).toBeLessThan(reading.bytes);
    }
  });
});
