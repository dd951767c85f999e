// `npm run docs`: the documentation site (TypeDoc, settings in typedoc.config.mjs) into docs/api/:
// the README as the home page, the guides (docs/*.md) and the API reference of every entry. Fails, after writing the site, on what TypeDoc's validation finds: an
// export or member without TSDoc (listed as file:line so it can be fixed at once), a broken
// {@link}, a public type that points at one no entry exports.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Application, PackageJsonReader, ReflectionKind, TSConfigReader, TypeDocReader } from 'typedoc';
import { check, root } from './entries.mjs';

const entryProblems = check();
if (entryProblems.length) {
  console.error(`scripts/entries.mjs and package.json exports disagree:\n  ${entryProblems.join('\n  ')}`);
  process.exit(1);
}

const app = await Application.bootstrapWithPlugins({}, [new TypeDocReader(), new PackageJsonReader(), new TSConfigReader()]);
const project = await app.convert();
if (!project) process.exit(2);
nameGuides(project);
const conversionWarnings = app.logger.warningCount;

// Collect what validation reports instead of printing it line by line, to group it below.
const findings = [];
const print = app.logger.validationWarning.bind(app.logger);
app.logger.validationWarning = (message) => {
  app.logger.validationWarningCount += 1;
  app.logger.warningCount += 1;
  findings.push(message);
};
app.validate(project);
app.logger.validationWarning = print;

await app.generateOutputs(project);

// TypeDoc names an undocumented reflection by its friendly full name; find it again for its
// place in the sources.
const byName = new Map();
for (const reflection of Object.values(project.reflections)) {
  const key = `${reflection.getFriendlyFullName()} (${ReflectionKind[reflection.kind]})`;
  if (!byName.has(key)) byName.set(key, reflection);
}
const NOT_DOCUMENTED = /^(.+) \((\w+)\), defined in .+, does not have any documentation$/;
const undocumented = [];
const other = [];
for (const message of findings) {
  const match = NOT_DOCUMENTED.exec(message);
  if (!match) {
    other.push(message);
    continue;
  }
  const [, name, kind] = match;
  // The name starts with the entry's module name, which may itself contain dots.
  const module = (project.children ?? []).map((m) => m.name).find((m) => name.startsWith(`${m}.`)) ?? '';
  const reflection = byName.get(`${name} (${kind})`);
  const source = reflection?.sources?.[0] ?? reflection?.parent?.sources?.[0];
  const where = source ? `${relative(root, source.fullFileName)}:${source.line}` : '?';
  // `ExecutionEvent.__type.type` reads as `ExecutionEvent.type`: a member of an inline type.
  const shown = name.slice(name.indexOf('.', module.length) + 1).replaceAll('.__type', '');
  undocumented.push({ where, name: `${shown} (${kind})`, module });
}
undocumented.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }));

// Per entry: how many of its exports carry TSDoc (on the declaration or on a signature). A
// re-export (a reference reflection, e.g. the node entry's `export { fileJournal } from …`)
// has no comment of its own: it counts as documented when what it points at is.
const documented = (r) =>
  r.isReference() ? documented(r.getTargetReflectionDeep()) : r.hasComment() || (r.signatures ?? []).some((s) => s.hasComment());
// A count short of all also fails, whatever validation said.
const shortEntries = [];
for (const module of project.children ?? [project]) {
  const exports = module.children ?? [];
  const count = exports.filter(documented).length;
  console.log(`${module.name}: ${count} of ${exports.length} exports documented`);
  if (count < exports.length) shortEntries.push(`${module.name}: ${exports.filter((r) => !documented(r)).map((r) => r.name).join(', ')}`);
}

const failed = app.logger.hasErrors() || app.logger.warningCount > 0 || shortEntries.length > 0;
if (undocumented.length) {
  console.error(`\n${undocumented.length} exports or members have no TSDoc (add a /** one-line summary */ above each):`);
  const width = Math.max(...undocumented.map((u) => u.where.length));
  for (const u of undocumented) console.error(`  ${u.where.padEnd(width)}  ${u.name}  [${u.module}]`);
}
if (other.length) {
  console.error(`\n${other.length} other problems (broken {@link}s, types no entry exports, …):`);
  for (const message of other) console.error(`  ${message}`);
}
if (shortEntries.length) {
  console.error(`\nExports counted as undocumented (no TSDoc on them, their signatures or what they re-export):`);
  for (const line of shortEntries) console.error(`  ${line}`);
}
const out = relative(root, app.options.getValue('out'));
if (failed) {
  const counts = `${undocumented.length} undocumented, ${shortEntries.length} entries short of full TSDoc, ${other.length} other, ${conversionWarnings} from conversion, ${app.logger.errorCount} errors`;
  console.error(`\nAPI reference written to ${out}/, but it fails the checks (${counts}).`);
  process.exit(1);
}
console.log(`API reference written to ${out}/index.html (no undocumented exports, no broken links).`);

/**
 * The guides in the navigation: each named by its first heading (TypeDoc names a document by its
 * file name), before the entries, in the order of the README's table of guides; a guide the table
 * does not name comes after, by name.
 */
function nameGuides(project) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // The table's rows: `| [Title](docs/name.md) | what it covers |`.
  const order = [...readme.matchAll(/^\| \[[^\]]+\]\(docs\/([\w-]+)\.md\)/gm)].map((m) => `docs/${m[1]}`);
  const rank = (doc) => (order.includes(doc.file) ? order.indexOf(doc.file) : order.length);
  const documents = project.getReflectionsByKind(ReflectionKind.Document).map((reflection) => ({ reflection, file: reflection.name }));
  for (const doc of documents) {
    const heading = /^# (.+)$/m.exec(readFileSync(join(root, `${doc.file}.md`), 'utf8'))?.[1];
    if (heading) doc.reflection.name = heading.replaceAll('`', '');
  }
  const sorted = documents.sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file)).map((d) => d.reflection);
  // The navigation lists the project's childrenIncludingDocuments: the guides first, then the entries.
  project.documents = sorted;
  project.childrenIncludingDocuments = [...sorted, ...(project.children ?? [])];
  for (const group of project.groups ?? []) {
    if (group.children.some((c) => c.isDocument())) group.children = [...sorted, ...group.children.filter((c) => !c.isDocument())];
  }
}
