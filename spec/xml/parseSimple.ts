/**
 * Reads back `<?xml …?><R a="…"><T>…</T></R>` the way an XML parser would: line ends
 * normalized, attribute whitespace normalized, references decoded. Just enough to test
 * that toXml's escaping survives parsing (xmlbuilder2's own parser does not decode).
 */
export function parseSimple(xml: string): { attribute: string; text: string } {
  const match = /<R a="([^"]*)"><T>([^<]*)<\/T><\/R>$/.exec(xml);
  if (!match) throw new Error(`Unexpected shape: ${xml}`);
  const lineEnds = (s: string) => s.replace(/\r\n?/g, '\n');
  const attribute = decode(lineEnds(match[1] ?? '').replace(/[\t\n]/g, ' '));
  return { attribute, text: decode(lineEnds(match[2] ?? '')) };
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_all, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED[ref];
    if (named === undefined) throw new Error(`Unknown entity &${ref};`);
    return named;
  });
}
