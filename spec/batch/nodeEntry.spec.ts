import { describe, expect, it } from '@jest/globals';
import * as node from '../../lib/node/index';

describe('the smart-flows-rx/node entry', () => {
  it('exports exactly this public surface (a change here is a deliberate API change)', () => {
    expect(Object.keys(node).sort()).toEqual(['fileJournal']);
  });
});
