// The package's entry points, for the API reference (scripts/docs.mjs) and the API reports
// (scripts/api-report.mjs). Adding an entry (e.g. `./angular`) is one line here; `check()`
// fails when this list and package.json `exports` disagree, so an entry cannot be forgotten.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

/** Subpath of package.json `exports` → the source file TypeDoc reads. */
const SOURCES = {
  '.': 'lib/index.ts',
  './xml': 'lib/xml/index.ts',
  './testing': 'lib/testing/index.ts',
  './angular': 'lib/angular/index.ts',
  './node': 'lib/node/index.ts',
  './bullmq': 'lib/bullmq/index.ts',
  './otel': 'lib/otel/index.ts',
};

/** Each entry: its import name, source, built declarations (from `exports`) and report file. */
export const entries = Object.entries(SOURCES).map(([subpath, source]) => {
  const target = pkg.exports?.[subpath];
  const types = target?.import?.types ?? target?.types;
  const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const report = subpath === '.' ? pkg.name : subpath.slice(2).replaceAll('/', '-');
  return { subpath, name, source, dts: types && resolve(root, types), report: `${report}.api.md` };
});

/** Problems with the list: entries package.json does not export, or exports missing from it. */
export function check() {
  const exported = Object.keys(pkg.exports ?? {}).filter((s) => s !== './package.json');
  return [
    ...entries.filter((e) => !e.dts).map((e) => `${e.subpath}: not in package.json exports (or no "types")`),
    ...exported.filter((s) => !(s in SOURCES)).map((s) => `${s}: exported by package.json but missing from scripts/entries.mjs`),
  ];
}

export { root, pkg };
