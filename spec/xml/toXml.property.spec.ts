import { describe, it, expect } from '@jest/globals';
import { toXml } from '../../lib/xml/toXml.js';
import { checkXml } from '../../lib/xml/checkXml.js';
import { seededRandom as prng } from '../../lib/testing/index.js';

const NAMES = ['a', 'Invoice', 'line-item', '_x', 'v1.2', 'Straße', '日本', 'é\u0301', 'A\u{10400}'];
const PIECES = ['<', '>', '&', '&amp;', '&#1;', '&foo;', ']]>', '"', "'", '\t', '\n', '\r', '\r\n', ' ', 'text', 'Ä', '😀', '--', '<!--', '<![CDATA['];

function generate(random: () => number): object {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = (): string => Array.from({ length: Math.floor(random() * 6) }, () => pick(PIECES)).join('');
  const scalar = (): unknown => pick([text, () => random() * 1e6 - 5e5, () => random() < 0.5, () => null, () => undefined, () => BigInt(Math.floor(random() * 1e9)), () => new Date(Math.floor(random() * 4e12))])();
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 4 || r < 0.4) return scalar();
    if (r < 0.55) return Array.from({ length: Math.floor(random() * 4) }, () => (random() < 0.8 ? object(depth + 1) : scalar()));
    return object(depth + 1);
  };
  const object = (depth: number): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 5); i > 0; i--) {
      const r = random();
      if (r < 0.2) result[`@${pick(NAMES)}`] = scalar();
      else if (r < 0.3) result['#text'] = pick([text, () => 42, () => null])();
      else result[pick(NAMES)] = value(depth);
    }
    return result;
  };
  return { [pick(NAMES)]: object(1) };
}

describe('toXml over random objects', () => {
  it('always produces a document that checkXml accepts', () => {
    const random = prng(20240601);
    for (let run = 0; run < 500; run++) {
      const data = generate(random);
      for (const pretty of [false, true]) {
        const xml = toXml(data, { pretty });
        const issue = checkXml(xml);
        // On failure the received value names the issue, the document and the object.
        expect(issue && `${issue.message} in\n${xml}\nfrom ${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`).toBeFalsy();
      }
    }
  });
});
