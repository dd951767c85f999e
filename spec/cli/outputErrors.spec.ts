import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { builtInFlows } from 'smart-flows-rx/testing';
import { useCliFixture } from './support/fixture';

const cli = useCliFixture();
// Each test spawns the CLI and waits on events (a line printed, a request seen); Jest's own limit
// is only a safety net, wide enough for a loaded machine.
jest.setTimeout(60_000);
// Each test runs the CLI once against the simulator, whose answers a test rewrites.
afterEach(() => cli.events.rewrite(undefined));

/** A JSON value nested `depth` levels deep, as text (building it as an object would overflow here). */
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('an answer the output cannot show', () => {
  it('exits 1 with a message when the execution names its flow with an object that has no text (run)', async () => {
    cli.events.rewrite('execution', (body) => ({ ...body, flow: { id: builtInFlows.short.id, displayName: { toString: 1 } } }));
    const result = await cli.run(['run', builtInFlows.short.id, '--input', '-'], { stdin: '<a/>' });
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(/^smart-flows: cannot show the outcome: /m) });
  });

  it('exits 1 with a message when the execution state is 20,000 levels deep (run --json)', async () => {
    // The transport refuses an answer nested past 64 levels before parsing it (the one depth
    // rule), so the output never sees it: the command still ends on exit 1 with the reason.
    cli.events.rewrite('execution', (body) => JSON.stringify({ ...body, state: '__deep__' }).replace('"__deep__"', deep(20_000)));
    const result = await cli.run(['run', builtInFlows.short.id, '--input', '-', '--json'], { stdin: '<a/>' });
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(/^smart-flows: .*nested deeper than 64 levels/m) });
  });
});
