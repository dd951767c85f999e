import { describe, expect, it } from '@jest/globals';
import { leaksOf } from '../helpers/secretForms';
import { useCliFixture } from './support/fixture';

// Outside attack 6, L6: a user who gives the key itself as --api-key-file's value (mistaking it
// for an `--api-key` option) saw it printed back ("cannot read --api-key-file <key>: ENOENT"), on
// stderr and so in the CI log. The CLI cannot know the value is a key: it never prints that value.

const cli = useCliFixture({ server: false });
const FLOW = '5f1a0000-0000-4000-8000-000000000001';
/** Key-shaped, with the characters a key has (`/` makes it no path that exists). */
const KEY = 'Sk-Abc/Def+Ghi=Jkl&Mno%Pqr_0123456789xyz';
/** Nothing listens there: nothing may be sent anyway (the check comes first). */
const env = { SMART_FLOWS_URL: 'http://127.0.0.1:9' };

describe('--api-key-file given the key itself', () => {
  it.each<[string, () => string[]]>([
    ['run', () => ['run', FLOW, '--api-key-file', KEY]],
    ['list', () => ['list', '--api-key-file', KEY]],
    ['list, --api-key-file=<key>', () => ['list', `--api-key-file=${KEY}`]],
    ['batch', () => ['batch', cli.file('jobs.csv', 'key,To\nA1,Ann\n'), '--flow', FLOW, '--api-key-file', KEY]],
  ])('%s: exit 2, says the file cannot be read, and prints the value in no form', async (_name, args) => {
    const result = await cli.run(args(), { env });
    expect(result.code).toBe(2);
    expect(leaksOf(result.stdout + result.stderr, KEY)).toEqual([]);
    expect(result.stderr.split('\n')[0]).toMatch(/cannot read the file given to --api-key-file \(ENOENT\): check the path/);
  });

  it('a file that exists and is empty: exit 2, says so, without its name', async () => {
    const file = cli.file(`${KEY.replace(/\//g, '_')}.txt`, '\n');
    const result = await cli.run(['list', '--api-key-file', file], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/the file given to --api-key-file is empty/);
    expect(leaksOf(result.stdout + result.stderr, KEY)).toEqual([]);
  });
});
