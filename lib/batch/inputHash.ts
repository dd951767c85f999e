/**
 * A 53-bit hash (cyrb53) of a job's flow id and input XML, as 14 hex digits. Not
 * cryptographic: it only notices a job list that changed between two runs of a journaled
 * batch; synchronous and browser-safe (no `crypto`).
 */
export function inputHash(flowId: string, xml: string | undefined): string {
  const text = `${flowId.toLowerCase()}\n${xml === undefined ? '\u0000' : xml}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
