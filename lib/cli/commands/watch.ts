import { isGuid } from '../../index';
import { timeoutOption } from '../args';
import { type Command, CONNECTION_HELP } from '../Command';
import { connect } from '../connect';
import { hideSecrets } from '../hideSecrets';
import { UsageError } from '../UsageError';
import { checkOutDir } from '../writeDocuments';
import { follow } from './follow';

/** `smart-flows watch <executionId>`: follows an execution that already exists. */
export const watch: Command = {
  name: 'watch',
  usage: 'smart-flows watch <executionId> [--out dir] [--timeout 10m]',
  positionals: { min: 1, max: 1, names: '<executionId>' },
  options: {
    out: { type: 'string', short: 'o' },
    'wait-for-input': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Follows an execution started elsewhere (another process, the web UI, a run that was
interrupted) to its end, exactly as run does after the start. Ctrl-C stops watching;
the execution goes on.

Options:
  -o, --out <dir>         download the documents the execution produced into <dir>
  --wait-for-input        keep waiting while the flow asks for user input (default: fail)
  --timeout <duration>    give up after e.g. 90s, 10m, 1h (exit 1); default 1h or
                          $SMART_FLOWS_TIMEOUT, 0 for none
${CONNECTION_HELP}

Example:
  smart-flows watch 0b6f3c1e-8f5d-4a51-9a57-2d2c1c9e6a10 --out letters/`,

  async run(context) {
    const { args, env } = context;
    const [executionId = ''] = args.positionals;
    if (!isGuid(executionId)) throw new UsageError(`executionId '${executionId}' is not a GUID`);
    const timeoutMs = timeoutOption(args.values, env);
    const out = args.values.out as string | undefined;
    await checkOutDir(out);
    const connection = connect(args.values, env);
    await hideSecrets(context.term, connection.client);
    const events$ = connection.client.watch(executionId, {
      onUserInput: args.values['wait-for-input'] === true ? 'wait' : 'error',
      downloadDocuments: out !== undefined,
      timeoutMs,
    });
    return follow(context, connection, events$, { out, cancelOnExit: false });
  },
};
