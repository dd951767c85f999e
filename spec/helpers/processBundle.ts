import type { BuildOptions } from 'esbuild';
import { resolve } from 'node:path';

/**
 * esbuild options for a program the specs start as a child process (the CLI, the crash test's
 * batch process): one ESM file holding the library sources *and* their dependencies.
 *
 * Why the dependencies are inlined: a process started on a bundle that imports them loads
 * rxjs's CommonJS build, xmlbuilder2, zod… as several hundred files, and that took 0.5 s of CPU
 * per start, before the program did anything (`--help`, Node 20, 2026-12-02). Bundled, a start
 * takes about half that. The specs start a few hundred such processes, so this was a large share
 * of `npm test`. What the processes do is the same code either way; how the published package
 * loads its dependencies is checked on the packed tarball (spec/consumers).
 *
 * rxjs is taken from its ES module build (its `exports` give Node the CommonJS one), so only
 * the operators used are kept. The CommonJS dependencies inlined still call `require` for
 * Node's own modules: the banner gives the ES module one.
 */
export function processBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Less to parse at each start (about 10 % of a start); names are kept, so stack traces read.
    minifyWhitespace: true,
    minifySyntax: true,
    alias: { rxjs: resolve(process.cwd(), 'node_modules/rxjs/dist/esm/index.js') },
    banner: { js: "import { createRequire as __specRequire } from 'node:module'; const require = __specRequire(import.meta.url);" },
    logLevel: 'error',
  };
}
