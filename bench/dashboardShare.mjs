// Part 3, the Angular dashboard: what its production build (`ng build`, optimized) carries from
// smart-flows-rx (the core and the angular entry), gzipped. The build's source map attributes
// every generated character to a source file (as source-map-explorer does); the characters from
// node_modules/smart-flows-rx/ are cut out per entry and gzipped alone, and the minified bytes
// are cross-checked with the build's esbuild metafile (`--stats-json`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** Builds the dashboard (production, with a source map and stats) and measures the library's share. */
export function measureDashboardShare() {
  execFileSync('npm', ['run', 'setup'], { cwd: DASHBOARD, stdio: 'ignore' });
  const outDir = mkdtempSync(join(tmpdir(), 'sf-dashboard-bench-'));
  try {
    execFileSync('npx', ['ng', 'build', '--configuration', 'production', '--source-map', '--stats-json', '--output-path', outDir], { cwd: DASHBOARD, stdio: 'ignore' });
    const browser = join(outDir, 'browser');
    const scripts = readdirSync(browser).filter((f) => f.endsWith('.js'));
    const parts = new Map();
    let appText = '';
    for (const file of scripts) {
      const code = readFileSync(join(browser, file), 'utf8');
      appText += code;
      const map = JSON.parse(readFileSync(join(browser, `${file}.map`), 'utf8'));
      for (const [source, text] of textBySource(code, map)) {
        const part = libraryPart(source);
        if (part) parts.set(part, (parts.get(part) ?? '') + text);
      }
    }
    const stats = JSON.parse(readFileSync(join(outDir, 'stats.json'), 'utf8'));
    const metafileBytes = {};
    for (const output of Object.values(stats.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
        const part = libraryPart(input);
        if (part) metafileBytes[part] = (metafileBytes[part] ?? 0) + bytesInOutput;
      }
    }
    const library = [...parts].filter(([part]) => !part.endsWith('(dependency)')).map(([, text]) => text).join('');
    return {
      notes: [
        'ng build --configuration production --source-map --stats-json of demo/dashboard, with the library packed from this repository (npm run setup).',
        "Each part's generated characters, found through the source map, are concatenated and gzipped (-9) alone; in the app's own gzip they compress a little better.",
      ],
      appScripts: { files: scripts.length, minifiedBytes: Buffer.byteLength(appText), gzipBytes: gz(appText) },
      /** The core and the angular entry (the library's own code). */
      library: { minifiedBytes: Buffer.byteLength(library), gzipBytes: gz(library) },
      parts: Object.fromEntries([...parts].map(([part, text]) => [part, { minifiedBytes: Buffer.byteLength(text), gzipBytes: gz(text), metafileBytes: metafileBytes[part] ?? 0 }])),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// `node bench/dashboardShare.mjs` measures this part alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(JSON.stringify(measureDashboardShare(), null, 2));
