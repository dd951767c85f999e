// The dependencies every spec file loads, bundled once per `npm install` into one CommonJS file
// per package (rxjs, msw, zod, xmlbuilder2, cross-fetch), and mapped for Jest by `jestDepsMapper`.
//
// Why: Jest gives each spec file a fresh module registry, so each of the 108 files loaded rxjs's
// CommonJS build, msw, zod and xmlbuilder2 again as several hundred small files: measured in one
// spec file (2026-12-02, Node 20), rxjs 100 ms, zod 100 ms, msw 280 ms, xmlbuilder2 120 ms, most
// of a file's start, and on 2 cores the suite was bound by that CPU. One file per package loads
// the same code in a fraction of it. The code is the packages' own, unchanged: only how it is
// split into files differs. The packed tarball is tested without this (spec/consumers).
//
// The specifiers of one package share one bundle (the small files below only pick their part),
// so `rxjs/testing`'s TestScheduler drives the timers of the `rxjs` the library uses, and
// `msw/node` intercepts for the `msw` handlers.
//
// Run by Jest as `globalSetup` (before any worker starts); no `import.meta` here: Jest compiles
// this file to CommonJS.
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Relative to the root: under node_modules, so a fresh `npm ci` starts without it. */
const DIR = 'node_modules/.cache/jest-deps';

/** Each bundle, and the specifiers it answers (one small file each). */
const GROUPS = {
  rxjs: ['rxjs', 'rxjs/operators', 'rxjs/testing', 'rxjs/internal/testing/ColdObservable'],
  msw: ['msw', 'msw/node'],
  zod: ['zod/mini'],
  xmlbuilder2: ['xmlbuilder2'],
  'cross-fetch': ['cross-fetch'],
};

/**
 * CommonJS packages whose `module.exports` is the value itself (cross-fetch's is the fetch
 * function): their file gives that value back, as `require` would, rather than a namespace.
 */
const CJS_VALUE = new Set(['cross-fetch']);

const fileOf = (specifier) => specifier.replace(/\W+/g, '-');
const escape = (specifier) => specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Jest's `moduleNameMapper` entries for the bundled specifiers. */
export function jestDepsMapper(rootDir = '<rootDir>') {
  return Object.fromEntries(
    Object.values(GROUPS).flat().map((specifier) => [`^${escape(specifier)}$`, `${rootDir}/${DIR}/${fileOf(specifier)}.cjs`]),
  );
}

/** The installed versions the bundles are built from: a new install builds them again. */
function installedVersions(root) {
  const names = ['esbuild', ...Object.keys(GROUPS)];
  return names.map((name) => `${name}@${JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`).join(' ');
}

/** Builds the bundles unless those of the installed versions are there. */
export default function buildJestDeps(_globalConfig, projectConfig) {
  const root = projectConfig?.rootDir ?? process.cwd();
  const dir = join(root, DIR);
  const stamp = createHash('sha256').update(installedVersions(root)).update(JSON.stringify(GROUPS)).update(readFileSync(join(root, 'spec/helpers/jestDeps.js'))).digest('hex');
  const stampFile = join(dir, 'stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  // Built aside and moved in whole: a run never sees half a set.
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const [group, specifiers] of Object.entries(GROUPS)) {
    buildSync({
      stdin: { contents: specifiers.map((s, i) => `export * as _${i} from '${s}';`).join('\n'), resolveDir: root, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Less to parse in every spec file; names are kept, so stack traces still read.
      minifyWhitespace: true,
      minifySyntax: true,
      outfile: join(partial, `${group}.bundle.cjs`),
      logLevel: 'error',
    });
    specifiers.forEach((specifier, i) =>
      // esbuild keeps a CommonJS module's own exports as its namespace's `default`.
      writeFileSync(join(partial, `${fileOf(specifier)}.cjs`), `module.exports = require('./${group}.bundle.cjs')._${i}${CJS_VALUE.has(specifier) ? '.default' : ''};\n`),
    );
  }
  writeFileSync(join(partial, 'stamp'), stamp);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
}
