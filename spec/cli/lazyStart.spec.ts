import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Metafile } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadedBy, splitCliBuild } from './support/splitBuild';

// Issue 31 item 3: `smart-flows --help` and `--version` load none of the command's modules
// (RxJS, zod, xmlbuilder2, the core client, the simulator): they load when a command runs.
// The command line is bundled here with code splitting, as rollup.config.mjs builds dist/cli.js,
// and what the entry loads before running anything (its static imports, followed through the
// chunks) is read from esbuild's metafile.

const HEAVY_PACKAGES = ['rxjs', 'zod', 'zod/mini', 'xmlbuilder2', 'cross-fetch', 'msw'];
const HEAVY_SOURCES = ['lib/index.ts', 'lib/xml/index.ts', 'lib/testing/index.ts', 'lib/client.ts', 'lib/node/fileJournal.ts'];

let meta: Metafile;
let outdir: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'cli-split-'));
  meta = await splitCliBuild(outdir, { external: HEAVY_PACKAGES });
}, 60_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** What the entry loads before it runs: the sources and packages reached by static imports only. */
const loadedAtStart = () => loadedBy(meta, 'lib/cli/cli.ts');

describe('the command line at start (--help, --version)', () => {
  it('loads no RxJS, zod, xmlbuilder2, cross-fetch or msw', () => {
    const { packages } = loadedAtStart();
    expect([...packages].filter((p) => HEAVY_PACKAGES.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
  });

  it('loads neither the core client, the xml entry, the simulator nor the file journal', () => {
    const { sources } = loadedAtStart();
    expect([...sources].filter((s) => HEAVY_SOURCES.includes(s))).toEqual([]);
  });

  it('still reaches them from a command (the check can fail)', () => {
    const everything = new Set(Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs)));
    for (const source of HEAVY_SOURCES) expect(everything).toContain(source);
  });
});
