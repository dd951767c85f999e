import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliSessions, consumerBlocks, docFiles, docsText } from '../../scripts/printed-blocks.mjs';

// The checks that run printed blocks as printed (spec/consumers/run.mjs, spec/cli/readmeSession,
// the BullMQ workers, scripts/readme-simulator.mjs) find them through scripts/printed-blocks.mjs:
// in README.md and in every docs/*.md, so a block is checked wherever the text lives.
const scratch = mkdtempSync(join(tmpdir(), 'printed-blocks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder laid out like the repository: README.md, docs/*.md, and a docs/api/ folder. */
function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const consumer = (names: string, body: string) => `<!-- consumer: ${names} -->\n\`\`\`js\n${body}\`\`\`\n`;
const session = (body: string) => `<!-- cli-session -->\n\`\`\`console\n${body}\`\`\`\n`;

describe('printed blocks', () => {
  it('are read from README.md and every docs/*.md, README first, the guides in name order', () => {
    const root = repo({
      'README.md': `# R\n${consumer('node/a.mjs', 'a();\n')}`,
      'docs/zeta.md': `# Z\n${session('$ smart-flows --version\n1.0.0\n')}`,
      'docs/alpha.md': `# A\n${consumer('jest-cjs/x.ts jest-esm/x.ts', 'x();\n')}`,
      'docs/api/readme.md': consumer('node/ignored.mjs', 'no();\n'),
      'docs/notes.txt': consumer('node/ignored2.mjs', 'no();\n'),
    });
    expect(docFiles(root)).toEqual(['README.md', 'docs/alpha.md', 'docs/zeta.md']);
    expect(consumerBlocks(root)).toEqual([
      { doc: 'README.md', files: ['node/a.mjs'], block: 'a();\n' },
      { doc: 'docs/alpha.md', files: ['jest-cjs/x.ts', 'jest-esm/x.ts'], block: 'x();\n' },
    ]);
    expect(cliSessions(root)).toEqual([{ doc: 'docs/zeta.md', text: '$ smart-flows --version\n1.0.0\n' }]);
    expect(docsText(root)).toContain('# Z');
  });

  it('need the marker right above the fence: a marker elsewhere marks nothing', () => {
    const root = repo({ 'README.md': `<!-- consumer: node/a.mjs -->\n\nSome text.\n\`\`\`js\na();\n\`\`\`\n<!-- cli-session -->\n\`\`\`sh\n$ ls\n\`\`\`\n` });
    expect(consumerBlocks(root)).toEqual([]);
    expect(cliSessions(root)).toEqual([]);
  });

  it('work without a docs folder', () => {
    const root = repo({ 'README.md': consumer('node/a.mjs', 'a();\n') });
    expect(docFiles(root)).toEqual(['README.md']);
    expect(consumerBlocks(root)).toHaveLength(1);
  });

  it('in this repository: every consumer block and session is found, wherever it lives', () => {
    const root = process.cwd();
    const named = consumerBlocks(root).flatMap((b) => b.files);
    // The files the checks require (spec/consumers/run.mjs, the BullMQ workers' spec).
    for (const file of ['jest-cjs/invoice.test.ts', 'jest-esm/invoice.test.ts', 'jest-cjs/jest.config.js', 'jest-esm/tsconfig.json', 'bullmq/worker.mjs', 'bullmq/producer.mjs', 'node/tracking.mjs', 'node/quickstart.mjs', 'angular20-app/src/app/letter.component.ts', 'vitest/invoice.test.ts', 'vitest/vitest.config.ts'])
      expect(named).toContain(file);
    // The README's command-line quick start and the journal session of docs/command-line.md.
    expect(cliSessions(root).map((s) => s.doc)).toEqual(expect.arrayContaining(['README.md', 'docs/command-line.md']));
  });
});
