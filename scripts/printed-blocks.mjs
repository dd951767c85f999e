// The printed blocks that checks run as printed, found in one place: every block marked
// `<!-- consumer: a/file b/file -->` (spec/consumers/run.mjs compares it with those files of
// spec/consumers; the BullMQ workers' spec runs it) and every `<!-- cli-session -->` session
// (spec/cli/readmeSession.spec.ts runs it), in README.md and in every docs/*.md guide, so a block
// is checked wherever the text lives. The marker must sit on the line right above the fence.
// Plain Node (no import.meta): the TypeScript specs load it compiled to CommonJS by Jest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CONSUMER = /<!-- consumer: ([^>]+?) -->\n```[a-z]*\n([\s\S]*?)```\n/g;
const SESSION = /<!-- cli-session -->\n```console\n([\s\S]*?)```\n/g;

/** The Markdown files that hold printed blocks: README.md, then docs/*.md by name (not docs/api/). */
export function docFiles(root) {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'), { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.md'))
        .map((e) => `docs/${e.name}`)
        .sort()
    : [];
  return ['README.md', ...docs];
}

const read = (root) => docFiles(root).map((doc) => ({ doc, text: readFileSync(join(root, doc), 'utf8') }));

/** Every `<!-- consumer: … -->` block: the file holding it, the spec/consumers files it names, its text. */
export function consumerBlocks(root) {
  return read(root).flatMap(({ doc, text }) => [...text.matchAll(CONSUMER)].map(([, files, block]) => ({ doc, files: files.split(/\s+/), block })));
}

/** Every `<!-- cli-session -->` session: the file holding it and the text inside the fence. */
export function cliSessions(root) {
  return read(root).flatMap(({ doc, text }) => [...text.matchAll(SESSION)].map(([, session]) => ({ doc, text: session })));
}

/** README.md and the guides as one text, for checks that look for printed commands anywhere. */
export function docsText(root) {
  return read(root)
    .map(({ text }) => text)
    .join('\n');
}
