import { isGuid } from '../../index';
import { timeoutOption } from '../args';
import { type Command, CONNECTION_HELP } from '../Command';
import { connect } from '../connect';
import { checkedXml, readSource } from '../readSource';
import { hideSecrets } from '../hideSecrets';
import { UsageError } from '../UsageError';
import { checkOutDir } from '../writeDocuments';
import { follow } from './follow';

/** `smart-flows run <flowId>`: starts one execution and follows it to its end. */
export const run: Command = {
  name: 'run',
  usage: 'smart-flows run <flowId> [--input file.xml|-] [--out dir] [--skip-user-input] [--timeout 10m]',
  positionals: { min: 1, max: 1, names: '<flowId>' },
  options: {
    input: { type: 'string', short: 'i' },
    out: { type: 'string', short: 'o' },
    'skip-user-input': { type: 'boolean' },
    'wait-for-input': { type: 'boolean' },
    timeout: { type: 'string' },
    'cancel-on-exit': { type: 'boolean' },
  },
  help: `Starts an execution of <flowId> (a GUID) and follows it: a live bar on stderr, then the
outcome on stdout (Success, Warning; Error, Canceled, Interrupted exit 1).

Options:
  -i, --input <file|->    the input XML (checked before anything is sent); - reads stdin
  -o, --out <dir>         download the documents the execution produced into <dir>
  --skip-user-input       start with the server's defaults for every form
  --wait-for-input        keep waiting while the flow asks for user input (default: fail,
                          naming the execution, so a person can answer it elsewhere)
  --timeout <duration>    give up after e.g. 90s, 10m, 1h (exit 1; the execution goes on);
                          default 1h or $SMART_FLOWS_TIMEOUT, 0 for none
  --cancel-on-exit        cancel the execution when stopped early (Ctrl-C, --timeout)
${CONNECTION_HELP}

Examples:
  smart-flows run 5f1a0000-0000-4000-8000-000000000001 --input letter.xml --out letters/
  generate-input | smart-flows run $FLOW --input - --json | jq -r .status`,

  async run({ args, env, term, stdin, interrupts }) {
    const [flowId = ''] = args.positionals;
    const { values } = args;
    if (!isGuid(flowId)) throw new UsageError(`flowId '${flowId}' is not a GUID`);
    const timeoutMs = timeoutOption(values, env);
    const out = values.out as string | undefined;
    await checkOutDir(out);
    const inputName = values.input as string | undefined;
    const input = inputName === undefined ? undefined : checkedXml(await readSource(inputName, stdin), inputName === '-' ? 'stdin' : inputName);
    const connection = connect(values, env);
    await hideSecrets(term, connection.client);
    const cancelOnExit = values['cancel-on-exit'] === true;
    const events$ = connection.client.run(flowId, input, {
      skipUserInput: values['skip-user-input'] === true,
      onUserInput: values['wait-for-input'] === true ? 'wait' : 'error',
      cancelOnUnsubscribe: cancelOnExit,
      downloadDocuments: out !== undefined,
      timeoutMs,
    });
    if (!term.json) term.note(`Running flow ${flowId}…`);
    return follow({ args, env, term, stdin, interrupts }, connection, events$, { out, cancelOnExit, flowId });
  },
};
