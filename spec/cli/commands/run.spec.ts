import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtInFlows } from 'smart-flows-rx/testing';
import { jsonLines } from '../support/cli';
import { executions, LETTER, slowFlow } from '../support/server';
import { useCliFixture } from '../support/fixture';

const cli = useCliFixture();
beforeAll(() => {
  cli.file('letter.xml', LETTER);
});

describe('smart-flows run', () => {
  it('runs a flow to Success, writes its documents to --out and prints the outcome on stdout, exit 0', async () => {
    const out = join(cli.dir, 'pack');
    const result = await cli.run(['run', builtInFlows.multiDocument.id, '--input', join(cli.dir, 'letter.xml'), '--out', out]);
    expect(result.code).toBe(0);
    const [outcome, ...files] = result.stdout.trimEnd().split('\n');
    expect(outcome).toMatch(/^Success {2}[0-9a-f-]{36} {2}Contract pack \(three documents\)/);
    expect(files).toEqual([
      expect.stringMatching(/^ {2}wrote .*Contract\.pdf \(\d+ bytes, application\/pdf\)$/),
      expect.stringMatching(/^ {2}wrote .*Terms\.docx/),
      expect.stringMatching(/^ {2}wrote .*Cover letter\.pdf/),
    ]);
    expect(readdirSync(out).sort()).toEqual(['Contract.pdf', 'Cover letter.pdf', 'Terms.docx']);
    expect(readFileSync(join(out, 'Contract.pdf'), 'latin1')).toMatch(/^%PDF-1\.4/);
    // Not a terminal: no bar, a log of the status changes on stderr instead.
    expect(result.stderr).toMatch(/Execution [0-9a-f-]{36} started\n {2}Running 0% Generate document\n/);
    expect(result.stderr).not.toContain('█');
  });

  it('prints one JSON object a line with --json: progress events, then the output', async () => {
    const result = await cli.run(['run', builtInFlows.warning.id, '--input', '-', '--json'], { stdin: LETTER });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    const last = events.at(-1)!;
    expect(events.slice(0, -1).every((e) => e.type === 'progress' && e.executionId === last.executionId)).toBe(true);
    expect(events[0]).toMatchObject({ type: 'progress', status: 'Running', percentage: 0 });
    expect(last).toMatchObject({ type: 'output', status: 'Warning', message: 'Document created; sending the e-mail failed', documents: [] });
    expect((last.execution as { id: string }).id).toBe(last.executionId);
  });

  it('exits 1 when the flow ends in Error, with the status and message on stdout', async () => {
    const result = await cli.run(['run', builtInFlows.error.id, '-i', join(cli.dir, 'letter.xml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Error {2}[0-9a-f-]{36} {2}Template field "customer\.name" not found\n$/);
  });

  it('exits 1 naming the execution when the flow asks for input, and runs through with --skip-user-input', async () => {
    const asks = await cli.run(['run', builtInFlows.userInput.id, '-i', join(cli.dir, 'letter.xml'), '--json']);
    expect(asks.code).toBe(1);
    expect(jsonLines(asks.stdout).at(-1)).toMatchObject({ type: 'error', error: 'FlowExecutionError', status: 'UserInput' });
    const skips = await cli.run(['run', builtInFlows.userInput.id, '--skip-user-input']);
    expect(skips.code).toBe(0);
    expect(skips.stdout).toMatch(/^Success /);
  });

  it('gives up after --timeout (exit 1) and with --cancel-on-exit cancels the execution', async () => {
    const result = await cli.run(['run', slowFlow.id, '-i', join(cli.dir, 'letter.xml'), '--timeout', '1.5s', '--cancel-on-exit', '--json']);
    expect(result.code).toBe(1);
    const error = jsonLines(result.stdout).at(-1)!;
    expect(error).toMatchObject({ type: 'error', error: 'SmartFlowsTimeoutError' });
    expect(result.stderr).toContain(`Execution ${String(error.executionId)} was canceled`);
    const found = (await executions(cli.server)).find((e) => e.id === error.executionId);
    expect(found?.status).toBe('Canceled');
  });
});
