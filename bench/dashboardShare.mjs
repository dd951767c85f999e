// Part 3, the Angular dashboard: what its production build (`ng build`, optimized) carries from
// smart-flows-rx (the core and the angular entry), gzipped. The build's source map attributes
// every generated character to a source file (as source-map-explorer does); the characters from
// node_modules/smart-flows-rx/ are cut out per entry and gzipped alone, and the minified bytes
// are cross-checked with the build's esbuild metafile (`--stats-json`). Each figure is split into
// what the app loads up front (its initial scripts: main, polyfills and the chunks they import
// statically, per the metafile) and what it loads lazily (the chunks behind a dynamic import()).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';

const DASHBOARD = fileURLToPath(new URL('../demo/dashboard/', import.meta.url));
const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

/** The library's runtime dependencies: in the app only because of it, reported beside it. */
const DEPENDENCIES = ['zod', 'cross-fetch', 'xmlbuilder2'];

/** Which part of the library a source path of the build belongs to, or undefined. */
function libraryPart(source) {
  // The core's browser build is dist/index.browser.js and its chunks in dist/browser/.
  if (/node_modules\/smart-flows-rx\/dist\/browser\/[\w.]+\.js$/.test(source)) return 'core';
  const match = /node_modules\/smart-flows-rx\/dist\/([a-z]+)[.\w]*\.(?:js|cjs)$/.exec(source);
  if (match) return match[1] === 'angular' ? 'angular entry' : match[1] === 'index' ? 'core' : match[1];
  const dependency = DEPENDENCIES.find((d) => source.includes(`node_modules/${d}/`));
  return dependency ? `${dependency} (dependency)` : undefined;
}

/** Splits a generated file into the text each source produced, by the source map's segments. */
function textBySource(code, map) {
  const lines = code.split('\n');
  const out = new Map();
  decode(map.mappings).forEach((segments, line) => {
    const text = lines[line] ?? '';
    segments.forEach((segment, i) => {
      if (segment.length < 2) return;
      const end = segments[i + 1]?.[0] ?? text.length;
      const source = map.sources[segment[1]];
      out.set(source, (out.get(source) ?? '') + text.slice(segment[0], end));
    });
  });
  return out;
}

const size = (text) => ({ minifiedBytes: Buffer.byteLength(text), gzipBytes: text ? gz(text) : 0 });
/** Sizes of the initial and the lazy text, and of both together. */
const sized = ({ initial, lazy }) => ({ initial: size(initial), lazy: size(lazy), ...size(initial + lazy) });

/**
 * The scripts an Angular build loads up front: those its index.html names (`<script src>` and
 * `<link rel="modulepreload">`, the chunks the entry imports statically), as the browser sees it
 * and as the builder's own "Initial chunk files" table counts them; every other script is lazy.
 */
function initialScripts(browserDir) {
  const html = readFileSync(join(browserDir, 'index.html'), 'utf8');
  return new Set([...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]));
}

/** Builds the dashboard (production, with a source map and stats) and measures the library's share. */
export function measureDashboardShare() {
  execFileSync('npm', ['run', 'setup'], { cwd: DASHBOARD, stdio: 'ignore' });
  const outDir = mkdtempSync(join(tmpdir(), 'sf-dashboard-bench-'));
  try {
    execFileSync('npx', ['ng', 'build', '--configuration', 'production', '--source-map', '--stats-json', '--output-path', outDir], { cwd: DASHBOARD, stdio: 'ignore' });
    const browser = join(outDir, 'browser');
    const scripts = readdirSync(browser).filter((f) => f.endsWith('.js'));
    // Angular 20 names the metafile stats.json, Angular 22 browser-stats.json.
    const statsFile = ['browser-stats.json', 'stats.json'].map((f) => join(outDir, f)).find((f) => existsSync(f)) ?? join(outDir, 'stats.json');
    const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    const initial = initialScripts(browser);
    // Per part (and for the whole app), the text of the initial scripts and of the lazy ones.
    const parts = new Map();
    const app = { initial: '', lazy: '' };
    for (const file of scripts) {
      const code = readFileSync(join(browser, file), 'utf8');
      const when = initial.has(file) ? 'initial' : 'lazy';
      app[when] += code;
      const map = JSON.parse(readFileSync(join(browser, `${file}.map`), 'utf8'));
      for (const [source, text] of textBySource(code, map)) {
        const part = libraryPart(source);
        if (!part) continue;
        if (!parts.has(part)) parts.set(part, { initial: '', lazy: '' });
        parts.get(part)[when] += text;
      }
    }
    const metafileBytes = {};
    for (const output of Object.values(stats.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
        const part = libraryPart(input);
        if (part) metafileBytes[part] = (metafileBytes[part] ?? 0) + bytesInOutput;
      }
    }
    const own = [...parts].filter(([part]) => !part.endsWith('(dependency)')).map(([, texts]) => texts);
    const library = { initial: own.map((t) => t.initial).join(''), lazy: own.map((t) => t.lazy).join('') };
    return {
      notes: [
        'ng build --configuration production --source-map --stats-json of demo/dashboard, with the library packed from this repository (npm run setup).',
        "Each part's generated characters, found through the source map, are concatenated and gzipped (-9) alone; in the app's own gzip they compress a little better.",
      ],
      appScripts: { files: scripts.length, initialFiles: [...initial].filter((f) => scripts.includes(f)).length, ...sized(app) },
      /** The core and the angular entry (the library's own code). */
      library: sized(library),
      parts: Object.fromEntries([...parts].map(([part, texts]) => [part, { ...sized(texts), metafileBytes: metafileBytes[part] ?? 0 }])),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// `node bench/dashboardShare.mjs` measures this part alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(JSON.stringify(measureDashboardShare(), null, 2));
