// Issue 31 item 3, the `run` half: a `run` of a short flow costs at most 2.5× the CPU of
// `node -e 0` (bench part 7). What kept it at 7×, pinned here so it does not come back:
// undici, which Node's fetch loads and compiles at its first call (about 125 ms of CPU: the
// command sends over node:http instead, lib/cli/httpFetch.ts), and xmlbuilder2, which came
// with `toXml` and `checkXml` imported through the xml entry (a run gives XML text and needs
// neither). The figures themselves are bench part 7's (`node --expose-gc bench/run.mjs --part=7`).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Metafile } from 'esbuild';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { LETTER } from './support/server';
import { useCliFixture } from './support/fixture';
import { loadedBy, splitCliBuild } from './support/splitBuild';

const cli = useCliFixture();
let scratch: string;

beforeAll(() => {
  cli.file('letter.xml', LETTER);
  scratch = mkdtempSync(join(tmpdir(), 'cli-run-start-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('smart-flows run, as it starts', () => {
  it('never loads Node’s fetch (undici): a run with --out and --verbose succeeds where calling fetch, or reading Headers, Request or Response, throws', async () => {
    // Loaded before the command (NODE_OPTIONS --require). Reading `fetch` costs nothing (Node
    // loads undici at its first call); reading the classes loads it.
    const preload = join(scratch, 'no-undici.cjs');
    writeFileSync(
      preload,
      `globalThis.fetch = () => { throw new Error('undici touched: fetch() called'); };
      for (const name of ['Headers', 'Request', 'Response', 'FormData']) {
        Object.defineProperty(globalThis, name, { configurable: true, get() { throw new Error('undici touched: globalThis.' + name); } });
      }\n`,
    );
    const out = join(cli.dir, 'no-undici');
    const result = await cli.run(['run', builtInFlows.multiDocument.id, '--input', join(cli.dir, 'letter.xml'), '--out', out, '--verbose'], {
      env: { ...cli.env, NODE_OPTIONS: `--require ${preload}` },
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('undici touched') as unknown as string });
    expect(readdirSync(out).sort()).toEqual(['Contract.pdf', 'Cover letter.pdf', 'Terms.docx']);
    // --verbose still prints the requests (the library's diagnostics channels, not undici's).
    expect(result.stderr).toMatch(/smart-flows: POST \/flows\/executions 200/);
  });
});

describe('what a run loads', () => {
  let meta: Metafile;

  beforeAll(async () => {
    // Packages left out so the metafile names them.
    meta = await splitCliBuild(join(scratch, 'split'), { packages: 'external' });
  }, 60_000);

  // The run command's module and the engine part every run loads (lib/internal/loadEngine.ts).
  const RUN_PARTS = ['lib/cli/commands/run.ts', 'lib/internal/enginePart.ts'];

  // (cross-fetch, the core's default fetch, is in the sources' graph; the command's build swaps
  // it for the global fetch it never calls: rollup.config.mjs.)
  it('loads no xmlbuilder2 or msw, nor the xml entry’s toXml', () => {
    const all = RUN_PARTS.map((part) => loadedBy(meta, part));
    const packages = all.flatMap((l) => [...l.packages]).filter((p) => !p.startsWith('node:'));
    expect(packages.filter((p) => /^(xmlbuilder2|msw)(\/|$)/.test(p))).toEqual([]);
    const sources = all.flatMap((l) => [...l.sources]);
    expect(sources.filter((s) => s === 'lib/xml/index.ts' || s === 'lib/xml/toXml.ts')).toEqual([]);
    // The check can fail: the run does load RxJS, and it checks its input XML.
    expect(packages).toContain('rxjs');
    expect(sources).toContain('lib/xml/checkXml.ts');
  });
});
