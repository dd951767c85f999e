import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSessions } from '../../scripts/printed-blocks.mjs';
import { cleanEnv } from './support/cli';
import { useCliFixture } from './support/fixture';

/**
 * The README's command-line sessions marked `<!-- cli-session -->`, run as printed: each `$ `
 * line goes to bash in one folder, with `smart-flows` on the PATH (the CLI built from the
 * sources) and SMART_FLOWS_URL/SMART_FLOWS_API_KEY set as the README's exports do. What it
 * prints must be the lines the README shows, in any order (stdout and stderr interleave), with
 * execution ids and durations left out. Three forms are read rather than run:
 *   `$ cat <file>`      the README shows the file: it is written from what is shown, then cat'ed
 *   `$ echo $?`         shows the exit code of the command before
 *   `… # Ctrl-C …`      SIGINT to the command's process group (as a terminal sends it) once it
 *                       printed every line the README shows before its `Interrupted` line
 */
interface Step {
  command: string;
  shown: string[];
}

// Found in README.md and every docs/*.md (scripts/printed-blocks.mjs), wherever the text lives.
const sessions = cliSessions(process.cwd()).map(({ text }) => steps(text));

function steps(text: string): Step[] {
  const result: Step[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) result.push({ command: line.slice(2), shown: [] });
    else result.at(-1)?.shown.push(line);
  }
  // The blank line that separates one command from the next is not output.
  for (const step of result) while (step.shown.at(-1) === '') step.shown.pop();
  return result;
}

const GUID = /\b(?!5f1a0000-)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
/** A line without what differs from run to run: execution ids and durations. */
const normal = (line: string) => line.replace(GUID, '<id>').replace(/ in \d+(\.\d+)? s\b/, ' in <t> s');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const sorted = (list: string[]) => list.map(normal).sort();

const cli = useCliFixture();
/** Where the `smart-flows` of the sessions is: a script that runs the built CLI. */
const bin = () => join(cli.dir, 'bin');
beforeAll(() => {
  mkdirSync(bin());
  writeFileSync(join(bin(), 'smart-flows'), `#!/bin/sh\nexec '${process.execPath}' '${cli.cli.file}' "$@"\n`);
  chmodSync(join(bin(), 'smart-flows'), 0o755);
});

function run(command: string, interruptAfter: string[] | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    // Its own process group, like a job in a shell: Ctrl-C reaches the command, not bash alone.
    const child = spawn('bash', ['-c', command], { cwd: cli.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv({ ...cli.env, PATH: `${bin()}:${process.env.PATH ?? ''}` }) });
    let output = '';
    let interrupted = false;
    const collect = (chunk: string) => {
      output += chunk;
      const got = lines(output).map(normal);
      if (interruptAfter && !interrupted && interruptAfter.every((l) => got.includes(normal(l)))) {
        interrupted = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('the README command-line session', () => {
  it('marks at least one session', () => {
    expect(sessions.length).toBeGreaterThan(0);
  });

  it.each(sessions.map((session, i) => [i + 1, session] as const))('session %i runs as printed and prints what the README shows', async (_, session) => {
    let lastCode: number | null = null;
    for (const { command, shown } of session) {
      const cat = /^cat (\S+)$/.exec(command);
      if (cat) writeFileSync(join(cli.dir, cat[1]!), `${shown.join('\n')}\n`);
      if (command === 'echo $?') {
        expect({ command: 'echo $?', shown }).toEqual({ command: 'echo $?', shown: [String(lastCode)] });
        continue;
      }
      const ctrlC = / # .*Ctrl-C/.test(command);
      const before = ctrlC ? shown.slice(0, shown.findIndex((l) => l.startsWith('Interrupted'))) : undefined;
      const { code, output } = await run(command, before);
      lastCode = code;
      expect({ command, output: sorted(lines(output)) }).toEqual({ command, output: sorted(lines(shown.join('\n'))) });
    }
  });
});
