import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { docFiles } from '../../scripts/printed-blocks.mjs';

// The README and the guides as GitHub shows them: every relative link reaches a file of the
// repository, and every #anchor into a Markdown file is one of its headings (GitHub's spelling:
// lower case, punctuation dropped, spaces as hyphens, a repeated heading numbered -1, -2…) or an
// <a id>. The site's own check (npm run docs, then npm run docs:links) follows TypeDoc's spelling.
const root = process.cwd();
const withoutCode = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** The anchors GitHub gives a Markdown file. */
function githubAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} (.+?)\s*$/gm)) {
    const slug = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of markdown.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

/** Each relative link of a Markdown file (of `markdown`, as if it were that file) that does not reach its file or anchor. */
function brokenLinks(file: string, markdown = readFileSync(join(root, file), 'utf8')): string[] {
  const broken: string[] = [];
  for (const [, target, anchor] of withoutCode(markdown).matchAll(/\]\(([^)\s#]*)(?:#([^)\s]+))?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
    if (target === '') {
      if (anchor && !githubAnchors(markdown).has(anchor)) broken.push(`#${anchor} (no such heading)`);
      continue;
    }
    const path = normalize(join(dirname(file), target!));
    if (!existsSync(join(root, path))) broken.push(`${target}${anchor ? `#${anchor}` : ''} (no such file)`);
    else if (anchor && path.endsWith('.md') && !githubAnchors(readFileSync(join(root, path), 'utf8')).has(anchor)) broken.push(`${target}#${anchor} (no such heading)`);
  }
  return broken;
}

describe('links of the README and the guides, as GitHub resolves them', () => {
  it('spells anchors as GitHub does', () => {
    const anchors = githubAnchors('# Batches: `runBatch`\n## Options\n### Options\n```sh\n# not a heading\n```\n<a id="jest"></a>\n## Plain http://\n');
    expect([...anchors]).toEqual(['batches-runbatch', 'options', 'options-1', 'plain-http', 'jest']);
  });

  it.each(docFiles(root))('%s: every relative link reaches its file and heading', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('reports a link to a missing file or heading, and passes a good one and an external one', () => {
    const guide = '[a](journal.md#large-batches-a-journal-resuming) [b](gone.md) [c](../README.md#moved-sections) [d](#here) [e](https://x.test/#y) [f](#there)\n## Here\n';
    expect(brokenLinks('docs/new-guide.md', guide)).toEqual(['journal.md#large-batches-a-journal-resuming (no such heading)', 'gone.md (no such file)', '#there (no such heading)']);
  });
});
