import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { checkSiteLinks } from '../../scripts/site-links.mjs';

// The link check of the documentation site (`npm run docs:check`, in .ci/run): every internal
// link of every built page must reach a file, and an anchor on an HTML page must exist there.
const scratch = mkdtempSync(join(tmpdir(), 'site-links-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A built site in a folder: `site/` holds the pages, beside it a repository file. */
function site(pages: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'lib', 'client.ts'), 'export {};\n');
  for (const [path, html] of Object.entries(pages)) {
    mkdirSync(join(root, 'site', path, '..'), { recursive: true });
    writeFileSync(join(root, 'site', path), html);
  }
  return join(root, 'site');
}

describe('the site link check', () => {
  it('passes links to pages, anchors, assets and the sources, and skips external ones', () => {
    const dir = site({
      'index.html': '<a href="#top">t</a><h1 id="top">T</h1><a href="documents/Guide_one%2C_two.html#step-2">g</a><link href="assets/style.css">',
      'documents/Guide_one,_two.html': '<h2 id="step-2">Step</h2><a href="../index.html#top">home</a><a href="../../lib/client.ts#L3">source</a><a href="https://example.com/x#y">out</a><a href="mailto:a@b.c">m</a>',
      'assets/style.css': 'body{}',
    });
    const result = checkSiteLinks(dir);
    expect(result.broken).toEqual([]);
    expect(result.pages).toBe(2);
    expect(result.links).toBe(5);
    expect(result.anchors).toBe(3);
  });

  it('reports a link to a missing file and a missing anchor, each with the page it is on', () => {
    const dir = site({
      'index.html': '<a href="documents/gone.html">x</a><a href="documents/a.html#nowhere">y</a><a href="#here">z</a>',
      'documents/a.html': '<h2 id="somewhere">S</h2>',
    });
    expect(checkSiteLinks(dir).broken).toEqual([
      { page: 'index.html', href: 'documents/gone.html', problem: 'no such file' },
      { page: 'index.html', href: 'documents/a.html#nowhere', problem: 'no such anchor' },
      { page: 'index.html', href: '#here', problem: 'no such anchor' },
    ]);
  });

  it('reads ids and names of any element, and entities in an href', () => {
    const dir = site({
      'index.html': '<a name="old"></a><section id="new"></section><a href="index.html?x=1&amp;y=2#old">a</a><a href="#new">b</a>',
    });
    expect(checkSiteLinks(dir).broken).toEqual([]);
  });

  it("takes the hierarchy page's anchors from its script's data, and lists a type it does not draw", () => {
    const data = { roots: [1], reflections: { 1: { name: 'RunOptions', url: 'interfaces/smart-flows-rx_angular.RunRequest.html' } } };
    const dir = site({
      'hierarchy.html': '<div id="tsd-hierarchy-script"></div>',
      'assets/hierarchy.js': `window.hierarchyData = "${deflateSync(JSON.stringify(data)).toString('base64')}"`,
      'interfaces/a.html': '<a href="../hierarchy.html#smart-flows-rx/angular.RunRequest">h</a><a href="../hierarchy.html#smart-flows-rx/angular.WatchRequest">w</a>',
    });
    const result = checkSiteLinks(dir);
    expect(result.broken).toEqual([]);
    expect(result.hierarchyGaps).toEqual([{ page: 'interfaces/a.html', href: '../hierarchy.html#smart-flows-rx/angular.WatchRequest' }]);
  });
});
