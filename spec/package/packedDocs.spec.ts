import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

// Attack 6, L1: the package shipped no docs/ folder although the README links to docs/*.md more
// than 20 times. The packed files (`npm pack --dry-run`, package.json `files`) must hold every
// guide and image the README links to, and every one a packed guide links to.

const ROOT = process.cwd();
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as [{ files: { path: string }[] }];
const files = new Set(packed.files.map((f) => f.path));

/** The relative links (markdown links and images, HTML `src`/`href`) of a Markdown file, resolved from the package root. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)|(?:src|href)="([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
  return targets
    .filter((t) => !/^[a-z][a-z+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => path.posix.normalize(path.posix.join(path.posix.dirname(file), t.split('#')[0]!)));
}

describe('the packed package holds the docs its README and guides link to', () => {
  it('ships every docs/ file the README links to', () => {
    const toDocs = [...new Set(relativeLinks('README.md').filter((t) => t.startsWith('docs/')))];
    expect(toDocs.length).toBeGreaterThan(15);
    expect(toDocs.filter((t) => !files.has(t))).toEqual([]);
  });

  it('ships every guide and image a packed guide links to inside the package (docs/, README, CHANGELOG)', () => {
    const guides = [...files].filter((f) => /^docs\/[^/]+\.md$/.test(f));
    expect(guides.length).toBeGreaterThan(10);
    const inside = guides.flatMap((g) => relativeLinks(g).map((t) => ({ from: g, to: t }))).filter(({ to }) => to.startsWith('docs/') || !to.includes('/'));
    expect(inside.filter(({ to }) => !files.has(to))).toEqual([]);
  });

  it('does not ship the generated API pages (docs/api/)', () => {
    expect([...files].filter((f) => f.startsWith('docs/api/'))).toEqual([]);
  });
});
