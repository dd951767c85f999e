import { isGuid } from '../../index';
import { timeoutOption, wholeNumber } from '../args';
import { type Command, CONNECTION_HELP } from '../Command';
import { connect } from '../connect';
import { openJournal } from '../openJournal';
import { readJobs, jobsFormat } from '../readJobs';
import { readSource } from '../readSource';
import { hideSecrets } from '../hideSecrets';
import { UsageError } from '../UsageError';
import { checkOutDir } from '../writeDocuments';
import { runJobs } from './runJobs';

/** `smart-flows batch <jobs>`: runs one flow execution per line of a CSV or JSON-lines file. */
export const batch: Command = {
  name: 'batch',
  usage: 'smart-flows batch <jobs.csv|jobs.jsonl|-> --flow <id> [--concurrency 4] [--journal batch.jsonl] [--out dir] [--fail-fast]',
  positionals: { min: 1, max: 1, names: '<jobs.csv|jobs.jsonl|->' },
  options: {
    flow: { type: 'string', short: 'f' },
    concurrency: { type: 'string', short: 'c' },
    journal: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'fail-fast': { type: 'boolean' },
    format: { type: 'string' },
    root: { type: 'string' },
    'skip-user-input': { type: 'boolean' },
    timeout: { type: 'string' },
    'cancel-on-exit': { type: 'boolean' },
  },
  help: `Runs one execution per job, at most --concurrency at once: a bar with the succeeded,
failed and running counts on stderr, one line per job on stdout as it ends. Every line
is read and checked before the first execution starts. Exits 1 if any job failed.

Jobs (one a line; - reads stdin):
  CSV    a header row, then one job a row. A 'key' column names the job (default: its
         line number); an 'xml' column is the job's input as is; otherwise every other
         column becomes a field of the input: key,Customer,Amount -> <Input><Customer>…
  JSONL  {"key": "A1", "flowId": "…", "input": "<Letter/>"}; input may be an object
         such as {"Letter": {"Customer": "ACME"}}; flowId defaults to --flow

Options:
  -f, --flow <flowId>     the flow of every job that names none
  -c, --concurrency <n>   executions at once, 1–1000 (default 4)
  -o, --out <dir>         download each job's documents into <dir>/<key>/ (a key that is not
                          a safe folder name as it is gets -<8 hex digits of its SHA-256>;
                          each file saved whole; a replaced file is said 'replaced')
  --fail-fast             stop at the first failed job (the rest are not started)
  --journal <file>        keep a journal of the batch in <file>; running the same command
                          again resumes it: ended jobs are reported from the journal,
                          started ones followed, none started twice (see Journal below)
  --format csv|jsonl      the format of stdin (default: from the extension, else sniffed)
  --root <name>           root element of inputs made from CSV columns (default Input)
  --skip-user-input       start with the server's defaults for every form
  --timeout <duration>    give up on a job after e.g. 90s, 10m (it counts as failed; its
                          execution goes on); default 1h or $SMART_FLOWS_TIMEOUT, 0 for none
  --cancel-on-exit        cancel the running executions when stopped early
${CONNECTION_HELP}

Journal: with --journal, a batch stopped by Ctrl-C, a crash or a lost connection is resumed by
running the same command again (same jobs file, same journal). A job whose start was sent but
whose answer was lost is looked up on the server: adopted if found, restarted if certainly
absent, else reported 'uncertain' and not started (exit 1; run again to check once more).
A journal written for another job list is refused (exit 2). With --out, each document saved
is journaled, so a resumed batch saves exactly the documents that are missing.

Example:
  smart-flows batch letters.csv --flow 5f1a0000-0000-4000-8000-000000000001 -c 8 --out letters/ --journal letters.journal`,

  async run(context) {
    const { args, env, stdin } = context;
    const { values } = args;
    const [source = ''] = args.positionals;
    const flowId = values.flow as string | undefined;
    if (flowId !== undefined && !isGuid(flowId)) throw new UsageError(`--flow '${flowId}' is not a GUID`);
    const concurrency = wholeNumber('concurrency', values.concurrency, 1, 1000);
    const timeoutMs = timeoutOption(values, env);
    const journal = await openJournal(values.journal);
    const out = values.out as string | undefined;
    await checkOutDir(out);
    const text = await readSource(source, stdin);
    const name = source === '-' ? 'stdin' : source;
    const format = jobsFormat(source === '-' ? '' : source, text, values.format as string | undefined);
    const jobs = readJobs(text, { name, format, flowId, root: (values.root as string | undefined) ?? 'Input' });
    const flows = new Map(jobs.map((job) => [job.key, job.flowId]));
    const connection = connect(values, env);
    await hideSecrets(context.term, connection.client);
    const cancelOnExit = values['cancel-on-exit'] === true;
    const snapshots$ = connection.client.runBatch(
      jobs.map(({ key, flowId: id, input }) => ({ key, flowId: id, ...(input !== undefined ? { input } : {}) })),
      {
        ...(concurrency !== undefined ? { concurrency } : {}),
        failFast: values['fail-fast'] === true,
        skipUserInput: values['skip-user-input'] === true,
        onUserInput: 'error',
        cancelOnUnsubscribe: cancelOnExit,
        // Every change, not one snapshot per 100 ms: a Ctrl-C right after a start still knows its execution.
        snapshotIntervalMs: 0,
        timeoutMs,
        ...(journal !== undefined ? { journal: journal.journal } : {}),
      },
    );
    if (!context.term.json) context.term.note(`Running ${jobs.length} job${jobs.length === 1 ? '' : 's'} (${name}), ${concurrency ?? 4} at a time…`);
    return runJobs(context, connection, snapshots$, { out, cancelOnExit, journal, source: name, keys: jobs.map((job) => job.key), timeoutMs, flowOf: (key) => flows.get(key) });
  },
};
