// `npm run pack:contents`: what `npm pack` would publish is only what a user needs: the built
// entries (JS and declarations, no source maps; the browser build's lazy chunks in dist/browser/), the subpath stubs, README, the guides (docs/*.md, docs/img/*.svg), CHANGELOG, LICENSE
// and package.json; every file package.json `exports` names is there. Prints the sizes.
import { execFileSync } from 'node:child_process';
import { pkg, root } from './entries.mjs';

const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
const files = packed.files.map((f) => f.path);

const stubs = Object.keys(pkg.exports).filter((s) => s !== '.' && s !== './package.json').map((s) => `${s.slice(2)}/package.json`);
const allowed = (path) =>
  /^dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)$/.test(path) ||
  // The chunks of the core's browser build (its lazily loaded parts, rollup.config.mjs).
  /^dist\/browser\/[\w.-]+\.js$/.test(path) ||
  // The guides the README links to and the charts they show (not docs/api/, which is generated).
  /^docs\/[\w.-]+\.md$/.test(path) ||
  /^docs\/img\/[\w.-]+\.svg$/.test(path) ||
  ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', ...stubs].includes(path);

// Every file an `exports` condition points at, plus the top-level fields.
const targets = new Set([pkg.main, pkg.module, pkg.types].filter(Boolean).map((p) => p.replace(/^\.\//, '')));
const walk = (value) => {
  if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
  else if (value && typeof value === 'object') Object.values(value).forEach(walk);
};
walk(pkg.exports);

const unexpected = files.filter((f) => !allowed(f));
const missing = [...targets, 'LICENSE', 'README.md', 'CHANGELOG.md', ...stubs].filter((f) => !files.includes(f));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`${packed.filename}: ${files.length} files, ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked`);
if (unexpected.length) console.error(`Files that should not ship (package.json "files", rollup.config.mjs):\n  ${unexpected.join('\n  ')}`);
if (missing.length) console.error(`Files the package needs but would not ship (run \`npm run build\` first?):\n  ${missing.join('\n  ')}`);
if (unexpected.length || missing.length) process.exit(1);
