import { build, type BuildOptions, type Metafile } from 'esbuild';
import { resolve } from 'node:path';

/**
 * The command line (`lib/cli/cli.ts`) bundled with code splitting, as rollup.config.mjs builds
 * dist/cli*.js, into `outdir` (nothing written): esbuild's metafile, where what each chunk loads is read.
 * @param leftOut - the packages left out of the bundle (so the metafile names them): `{ packages: 'external' }` or `{ external: [...] }`
 */
export async function splitCliBuild(outdir: string, leftOut: Pick<BuildOptions, 'packages' | 'external'>): Promise<Metafile> {
  const result = await build({
    entryPoints: [resolve('lib/cli/cli.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    ...leftOut,
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  return result.metafile;
}

/**
 * The sources and packages the chunk of `source` (an entry point, or a module loaded by a dynamic
 * import: a chunk of its own) loads by its static imports, followed through the chunks.
 */
export function loadedBy(meta: Metafile, source: string): { sources: Set<string>; packages: Set<string> } {
  const start = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === source)?.[0];
  if (!start) throw new Error(`no chunk for ${source}`);
  const sources = new Set<string>();
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = meta.outputs[file];
    if (!output) throw new Error(`no output ${file}`);
    for (const input of Object.keys(output.inputs)) sources.add(input);
    for (const imp of output.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) packages.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(start);
  return { sources, packages };
}
