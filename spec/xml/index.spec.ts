import { describe, it, expect } from '@jest/globals';
import * as xmlEntry from '../../lib/xml/index.js';

describe('the smart-flows-rx/xml entry', () => {
  it('exports exactly this public surface', () => {
    expect(Object.keys(xmlEntry).sort()).toEqual([
      'XmlInputError',
      'checkXml',
      'isWellFormedXml',
      'isXmlInputError',
      'isXmlName',
      'toXml',
    ]);
  });

  it('is reachable under its package name', async () => {
    const byName = await import('smart-flows-rx/xml');
    expect(byName.toXml).toBe(xmlEntry.toXml);
  });
});
