import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { useCliFixture } from './support/fixture';

const SHORT = builtInFlows.short.id;

const cli = useCliFixture();

describe('smart-flows usage', () => {
  it('prints the commands, environment and exit codes with --help, on stdout, exit 0', async () => {
    const result = await cli.run(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['run', 'watch', 'batch', 'cancel', 'list', 'simulator']) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(result.stdout).toContain('SMART_FLOWS_API_KEY');
    expect(result.stdout).toContain('130 interrupted');
  });

  it.each(['run', 'watch', 'batch', 'cancel', 'list', 'simulator'])('answers %s --help with its usage, exit 0, nothing sent', async (name) => {
    const before = cli.server.simulator.requests.length;
    const result = await cli.run([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: smart-flows ${name}`));
    expect(result.stderr).toBe('');
    expect(cli.server.simulator.requests.length).toBe(before);
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    const result = await cli.run([]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('Usage: smart-flows <command>');
  });

  it('names an unknown command and an unknown flag in one line, with the usage, exit 2', async () => {
    const command = await cli.run(['launch']);
    expect(command.code).toBe(2);
    expect(command.stderr.split('\n')[0]).toBe("smart-flows: unknown command 'launch'");
    const flag = await cli.run(['run', SHORT, '--fast']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      "smart-flows run: unknown option '--fast'\nUsage: smart-flows run <flowId> [--input file.xml|-] [--out dir] [--skip-user-input] [--timeout 10m]\n",
    );
    expect(flag.stdout).toBe('');
  });

  it('refuses a missing argument, a bad GUID, a bad number and a bad duration, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['run'], /missing <flowId>/],
      [['run', 'not-a-guid'], /flowId 'not-a-guid' is not a GUID/],
      [['batch', 'x.csv', '--flow', SHORT, '--concurrency', 'lots'], /--concurrency must be a whole number from 1 to 1000, got 'lots'/],
      [['run', SHORT, '--timeout', 'soon'], /--timeout must be a duration such as 90s, 10m or 1h, got 'soon'/],
      [['list', '--status', 'Sleeping'], /--status 'Sleeping' is not one of/],
      [['run', SHORT, '--input'], /option '--input' needs a value/],
    ];
    // Side by side: each is a process of its own that sends nothing.
    const results = await Promise.all(cases.map(([args]) => cli.run(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/\nUsage: smart-flows /);
    }
  });

  it('exits 2 without a server URL or credentials, and names the variables', async () => {
    const noUrl = await cli.run(['list'], { env: { SMART_FLOWS_API_KEY: 'k' } });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('set SMART_FLOWS_URL or pass --url');
    const noKey = await cli.run(['list'], { env: { SMART_FLOWS_URL: cli.server.url } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('set SMART_FLOWS_API_KEY (or SMART_FLOWS_TOKEN), or pass --api-key-file');
  });

  it('refuses an input file that is not well-formed XML with its line and column, exit 2, nothing sent', async () => {
    const input = cli.file('broken.xml', '<Letter>\n  <To>Ann</Letter>\n');
    const before = cli.server.simulator.requests.length;
    const result = await cli.run(['run', SHORT, '--input', input]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^smart-flows run: .*broken\.xml is not well-formed XML: .*\(line 2, column \d+\)$/);
    expect(cli.server.simulator.requests.length).toBe(before);
  });

  it('refuses a malformed CSV naming the line, exit 2, nothing sent', async () => {
    const jobs = cli.file('jobs.csv', 'key,Customer\nA1,ACME\nA2,"Smith\nA3,Zed\n');
    const wide = cli.file('wide.csv', 'key,Customer\nA1,ACME\nA2,Smith,4\n');
    const before = cli.server.simulator.requests.length;
    const open = await cli.run(['batch', jobs, '--flow', SHORT]);
    expect(open.code).toBe(2);
    expect(open.stderr.split('\n')[0]).toMatch(/jobs\.csv line 3: malformed CSV: a quoted field is not closed$/);
    const fields = await cli.run(['batch', wide, '--flow', SHORT]);
    expect(fields.code).toBe(2);
    expect(fields.stderr.split('\n')[0]).toMatch(/wide\.csv line 3: malformed CSV: 3 fields, the header has 2$/);
    expect(cli.server.simulator.requests.length).toBe(before);
  });

  it('exits 3 when the server refuses the key, and never prints the key', async () => {
    const keyFile = cli.file('key.txt', 'wrong-key-4711\n');
    const result = await cli.run(['list', '--api-key-file', keyFile], { env: { SMART_FLOWS_URL: cli.server.url } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('refused the credentials (401)');
    expect(result.stdout + result.stderr).not.toContain('wrong-key-4711');
  });

  it('exits 3 when nothing listens at the URL', async () => {
    const result = await cli.run(['cancel', '0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10'], { env: { SMART_FLOWS_URL: 'http://127.0.0.1:9', SMART_FLOWS_API_KEY: 'k' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach the server/);
  });
});

describe('smart-flows --help, "Try it without a server"', () => {
  it('its example runs as written against the simulator (exit 0, the letter written)', async () => {
    const help = (await cli.run(['--help'])).stdout;
    const lines = help.slice(help.indexOf('Try it without a server:')).split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'sfrx-help-'));
    // A file the example writes first, if any (echo '<xml>' > name).
    for (const line of lines) {
      const echo = /^\s*echo '(.*)' > (\S+)/.exec(line);
      if (echo) writeFileSync(join(dir, echo[2]!), echo[1]!);
    }
    const run = lines.find((line) => /^\s*smart-flows run /.test(line))!;
    const args = run.trim().split(/\s+/).slice(1);
    const result = await cli.run(args, { cwd: dir });
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    expect(readdirSync(join(dir, 'letters'))).toEqual(['Letter.pdf']);
  });
});
