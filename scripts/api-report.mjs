// The API report of each entry (api/<entry>.api.md), from the built declarations in dist/
// by API Extractor (settings in api-extractor.json).
//   node scripts/api-report.mjs --check   fails, showing the diff, when dist/ no longer matches
//                                         the committed reports (`npm run api:check`)
//   node scripts/api-report.mjs --update  rewrites the reports (`npm run api:update`, which builds first)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { check, entries, root } from './entries.mjs';

const mode = process.argv[2];
if (mode !== '--check' && mode !== '--update') {
  console.error('usage: node scripts/api-report.mjs --check | --update');
  process.exit(2);
}
const update = mode === '--update';

const entryProblems = check();
if (entryProblems.length) {
  console.error(`scripts/entries.mjs and package.json exports disagree:\n  ${entryProblems.join('\n  ')}`);
  process.exit(1);
}

// Reports of a stale build would compare the wrong thing: dist/ must be newer than lib/.
const newestSource = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, d) => {
    const path = join(dir, d.name);
    const mtime = d.isDirectory() ? newestSource(path) : d.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    return Math.max(newest, mtime);
  }, 0);
const sourcesChanged = newestSource(resolve(root, 'lib'));
for (const entry of entries) {
  if (!existsSync(entry.dts) || statSync(entry.dts).mtimeMs < sourcesChanged) {
    console.error(`${relative(root, entry.dts)} is missing or older than lib/: run \`npm run build\` first.`);
    process.exit(1);
  }
  // The CJS declarations are a second copy of the same bundle; the report covers both only
  // while they are identical.
  const cts = entry.dts.replace(/\.d\.ts$/, '.d.cts');
  if (existsSync(cts) && readFileSync(cts, 'utf8') !== readFileSync(entry.dts, 'utf8')) {
    console.error(`${relative(root, cts)} differs from ${relative(root, entry.dts)}; the API report covers only the latter.`);
    process.exit(1);
  }
}

const configPath = resolve(root, 'api-extractor.json');
if (update) mkdirSync(resolve(root, 'api'), { recursive: true });
const changed = [];
let failed = false;
for (const entry of entries) {
  const configObject = ExtractorConfig.loadFile(configPath);
  configObject.mainEntryPointFilePath = entry.dts;
  configObject.compiler = { overrideTsconfig: { ...configObject.compiler?.overrideTsconfig, files: [entry.dts] } };
  configObject.apiReport = { ...configObject.apiReport, reportFileName: entry.report.replace(/\.api\.md$/, '') };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: configPath,
    packageJsonFullPath: resolve(root, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      // The "copy this file" advice is replaced by the diff and the command below.
      if (message.messageId === 'console-api-report-changed' || message.messageId === 'console-api-report-not-copied') {
        message.handled = true;
      }
      // Progress lines ("Analysis will use the bundled TypeScript version …") are noise here.
      if (message.logLevel === 'info' || message.logLevel === 'verbose') message.handled = true;
    },
  });
  const reportPath = config.reportConfigs[0] ? join(config.reportFolder, config.reportConfigs[0].fileName) : '';
  const tempPath = config.reportConfigs[0] ? join(config.reportTempFolder, config.reportConfigs[0].fileName) : '';
  if (result.apiReportChanged) changed.push({ entry, reportPath, tempPath });
  if (result.errorCount > 0 || (!update && !result.succeeded && !result.apiReportChanged)) failed = true;
  const status = result.errorCount > 0 ? 'FAILED' : !result.apiReportChanged ? 'unchanged' : update ? 'updated' : 'CHANGED';
  console.log(`${entry.name}: ${relative(root, reportPath)} ${status}`);
}

if (!update && changed.length) {
  for (const { reportPath, tempPath } of changed) {
    const args = ['diff', '--no-index', '--no-prefix', relative(root, reportPath), relative(root, tempPath)];
    const diff = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    console.error(`\n${diff.stdout || `(no diff available: ${relative(root, tempPath)} holds the new report)`}`);
  }
  console.error(
    `The public surface of ${changed.map((c) => c.entry.name).join(', ')} differs from the committed API report.\n` +
      'If the change is intended, run `npm run api:update` and commit api/*.api.md with it.',
  );
  process.exit(1);
}
if (failed) {
  console.error('API Extractor reported errors (above).');
  process.exit(1);
}
