import { describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { prepareInput } from '../../lib/api/prepareInput';
import { toXml } from '../../lib/xml/index';

describe('prepareInput', () => {
  it('loads the xml entry by itself for an object when no converter is given (Node)', async () => {
    await expect(firstValueFrom(prepareInput({ Letter: { To: 'Ada & Co' } }))).resolves.toBe('<?xml version="1.0" encoding="UTF-8"?><Letter><To>Ada &amp; Co</To></Letter>');
  });

  it('uses the toXml option when given (what a browser app passes)', async () => {
    const seen: unknown[] = [];
    const xml = await firstValueFrom(prepareInput({ A: 1 }, (data, options) => (seen.push(data, options), toXml(data, options))));
    expect(xml).toContain('<A>1</A>');
    expect(seen).toEqual([{ A: 1 }, { maxLength: 10 * 1024 * 1024 }]);
  });

  it('checks what a converter of your own gives like any XML string', async () => {
    await expect(firstValueFrom(prepareInput({ A: 1 }, () => '<a></b>'))).rejects.toMatchObject({ name: 'SmartFlowsInputError', message: expect.stringContaining('not well-formed') });
    await expect(firstValueFrom(prepareInput({ A: 1 }, () => 42 as unknown as string))).rejects.toMatchObject({ name: 'SmartFlowsInputError' });
  });

  it('turns a converter that throws into SmartFlowsInputError with the cause kept', async () => {
    const boom = new Error('nope');
    await expect(firstValueFrom(prepareInput({ A: 1 }, () => { throw boom; }))).rejects.toMatchObject({ name: 'SmartFlowsInputError', cause: boom });
  });
});

describe('loadXmlEntry', () => {
  it("of the Node builds loads the xml entry's toXml by a relative import (one a bundler follows)", async () => {
    const { loadXmlEntry } = await import('../../lib/api/loadXmlEntry.node');
    expect((await loadXmlEntry()).toXml).toBe(toXml);
  });
});
