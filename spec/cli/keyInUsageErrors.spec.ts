import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaksOf } from '../helpers/secretForms';
import { useCliFixture } from './support/fixture';
import { loadedBy, splitCliBuild } from './support/splitBuild';

// Outside attack 7, N1: the key (set in SMART_FLOWS_API_KEY, or read from --api-key-file) pasted
// by mistake as another option's value or argument came back in the usage error ("flowId
// '<key>' is not a GUID", "cannot read <key>: no such file", "--timeout … got '<key>'"), on
// stderr and so in CI logs. docs/command-line.md: the key is "never printed". Every usage error
// passes through the redaction of the key the command line knows, before it is printed.

const cli = useCliFixture({ server: false });
const FLOW = '5f1a0000-0000-4000-8000-000000000001';
/** Key-shaped, with the characters a key has (`/` makes it no path that exists). */
const KEY = 'Sk-Abc/Def+Ghi=Jkl&Mno%Pqr_0123456789xyz';
/** Nothing listens there: nothing may be sent anyway (the checks come first). */
const url = 'http://127.0.0.1:9';
const envKey = { SMART_FLOWS_URL: url, SMART_FLOWS_API_KEY: KEY, NO_COLOR: '1' };

describe('the key given as another option\'s value or argument (SMART_FLOWS_API_KEY set)', () => {
  it.each<[string, () => string[]]>([
    ['run <key>', () => ['run', KEY, '--input', cli.file('l.xml', '<L/>')]],
    ['run --input <key>', () => ['run', FLOW, '--input', KEY]],
    ['run --timeout <key>', () => ['run', FLOW, '--input', cli.file('l.xml', '<L/>'), '--timeout', KEY]],
    ['run --json --timeout <key>', () => ['run', FLOW, '--json', '--timeout', KEY]],
    ['watch <key>', () => ['watch', KEY]],
    ['cancel <key>', () => ['cancel', KEY]],
    ['list --flow <key>', () => ['list', '--flow', KEY]],
    ['batch --flow <key>', () => ['batch', cli.file('j.csv', 'key,To\nA1,Ann\n'), '--flow', KEY]],
    ['batch <key>', () => ['batch', KEY, '--flow', FLOW]],
    ['batch --journal /nonexist/<key>', () => ['batch', cli.file('j.csv', 'key,To\nA1,Ann\n'), '--flow', FLOW, '--journal', `/nonexist/${KEY}`]],
    ['batch -c <key>', () => ['batch', cli.file('j.csv', 'key,To\nA1,Ann\n'), '--flow', FLOW, '-c', KEY]],
    ['batch, the key as a jobs file\'s flowId', () => ['batch', cli.file('j.jsonl', `${JSON.stringify({ key: 'A1', flowId: KEY })}\n`)]],
    ['run, one argument too many', () => ['run', FLOW, KEY]],
    ['<key> as the command', () => [KEY]],
  ])('%s: exit 2, the key in no form', async (_name, args) => {
    const result = await cli.run(args(), { env: envKey });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\S/);
    expect(leaksOf(result.stdout + result.stderr, KEY)).toEqual([]);
  });

  it('the key read from --api-key-file: redacted the same way', async () => {
    const file = cli.file('key.txt', `${KEY}\n`);
    const result = await cli.run(['watch', KEY, '--api-key-file', file], { env: { SMART_FLOWS_URL: url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/executionId '\[redacted\]' is not a GUID/);
    expect(leaksOf(result.stdout + result.stderr, KEY)).toEqual([]);
  });

  it('the token (SMART_FLOWS_TOKEN) is redacted the same way', async () => {
    const result = await cli.run(['watch', KEY], { env: { SMART_FLOWS_URL: url, SMART_FLOWS_TOKEN: KEY } });
    expect(result.code).toBe(2);
    expect(leaksOf(result.stdout + result.stderr, KEY)).toEqual([]);
  });

  it('a value that is not the key is still printed as given', async () => {
    const result = await cli.run(['watch', 'not-a-guid-at-all'], { env: envKey });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("smart-flows watch: executionId 'not-a-guid-at-all' is not a GUID");
  });
});

describe('the redaction of the known key at start', () => {
  it('is not loaded by --help or --version (only on the error path, as rollup.config.mjs splits dist/cli.js)', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cli-split-'));
    try {
      const meta = await splitCliBuild(outdir, { packages: 'external' });
      const { sources } = loadedBy(meta, 'lib/cli/cli.ts');
      expect(sources).toContain('lib/cli/main.ts');
      expect([...sources].filter((s) => s === 'lib/cli/hideKnownKey.ts' || s === 'lib/internal/redact.ts')).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
