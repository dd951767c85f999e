// TypeDoc: the documentation site, one static site from the README, the guides (docs/*.md) and
// the API reference of every entry (the TSDoc in lib/). Run it with `npm run docs`
// (scripts/docs.mjs), which lists undocumented exports with file:line before failing.
// The choice (issue 30): TypeDoc's own `projectDocuments` rather than a static site generator
// beside it. One tool builds one site with one search index and one navigation; a guide's
// {@link}-free Markdown links to another guide or to the README are rewritten by TypeDoc to the
// built pages, and the API pages stay where `npm run docs` always put them.
import { entries } from './scripts/entries.mjs';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  entryPoints: entries.map((e) => e.source),
  // lib/ only (not specs, demo, bench); `npm run typecheck` checks types, so TypeDoc need not.
  tsconfig: 'scripts/tsconfig.docs.json',
  skipErrorChecking: true,
  out: 'docs/api',
  name: 'smart-flows-rx',
  // The README is the home page; every guide is a document of the project, in the navigation and
  // the search (scripts/docs.mjs names each by its first heading and orders them as the README's
  // table of guides does).
  readme: 'README.md',
  projectDocuments: ['docs/*.md'],
  searchInDocuments: true,
  searchInComments: true,
  includeVersion: true,
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  sort: ['source-order'],
  basePath: '.',
  displayBasePath: '.',
  // "Defined in lib/…:line" links to the file in this checkout (the package names no
  // repository host); every reflection page sits one folder below docs/api/.
  disableGit: true,
  sourceLinkTemplate: '../../../{path}#L{line}',
  githubPages: false,
  // A broken {@link}, an undocumented export or member, or a public type that points at an
  // unexported one fails the build.
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  requiredToBeDocumented: [
    'Module', 'Namespace', 'Enum', 'EnumMember', 'Variable', 'Function', 'Class', 'Interface',
    'Constructor', 'Property', 'Method', 'Accessor', 'TypeAlias',
  ],
};
