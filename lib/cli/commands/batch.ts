import { stat } from 'node:fs/promises';
import { from, map, mergeMap, type Observable, of, toArray } from 'rxjs';
import { type BatchItem, type BatchSnapshot, findDocuments, isGuid, isSmartFlowsBatchError, isSmartFlowsInputError, isSmartFlowsJournalError } from '../../index';
import { duration, wholeNumber } from '../args';
import { type Command, type CommandContext, CONNECTION_HELP } from '../Command';
import { connect, type Connection } from '../connect';
import { EXIT } from '../exitCodes';
import { describe, errorJson, exitCodeOf, failureStatus } from '../failures';
import { type CliJournal, openJournal, UnreadableJournal } from '../openJournal';
import { readJobs, jobsFormat } from '../readJobs';
import { readSource } from '../readSource';
import { bar } from '../Terminal';
import { UsageError } from '../UsageError';
import { checkOutDir, safeFileName, writeDocuments, type WrittenDocument } from '../writeDocuments';
import { journalJson, journalSummary, reportJournal, uncertainAdvice } from './batchJournal';
import { DRAIN_MS } from './follow';

/** Documents downloaded side by side in a batch (each job's files one after the other). */
const DOWNLOADS_AT_ONCE = 4;

/** `smart-flows batch <jobs>`: runs one flow execution per line of a CSV or JSON-lines file. */
export const batch: Command = {
  name: 'batch',
  summary: 'run one execution per line of a CSV or JSON-lines file, several at once',
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
  -o, --out <dir>         download each job's documents into <dir>/<key>/
  --fail-fast             stop at the first failed job (the rest are not started)
  --journal <file>        keep a journal of the batch in <file>; running the same command
                          again resumes it: ended jobs are reported from the journal,
                          started ones followed, none started twice (see Journal below)
  --format csv|jsonl      the format of stdin (default: from the extension, else sniffed)
  --root <name>           root element of inputs made from CSV columns (default Input)
  --skip-user-input       start with the server's defaults for every form
  --timeout <duration>    give up on a job after e.g. 90s, 10m (it counts as failed)
  --cancel-on-exit        cancel the running executions when stopped early
${CONNECTION_HELP}

Journal: with --journal, a batch stopped by Ctrl-C, a crash or a lost connection is resumed by
running the same command again (same jobs file, same journal). A job whose start was sent but
whose answer was lost is looked up on the server: adopted if found, restarted if certainly
absent, else reported 'uncertain' and not started (exit 1; run again to check once more).
A journal written for another job list is refused (exit 2).

Example:
  smart-flows batch letters.csv --flow 5f1a0000-0000-4000-8000-000000000001 -c 8 --out letters/ --journal letters.journal`,

  async run(context) {
    const { args, env, stdin } = context;
    const { values } = args;
    const [source = ''] = args.positionals;
    const flowId = values.flow as string | undefined;
    if (flowId !== undefined && !isGuid(flowId)) throw new UsageError(`--flow '${flowId}' is not a GUID`);
    const concurrency = wholeNumber('concurrency', values.concurrency, 1, 1000);
    const timeoutMs = duration('timeout', values.timeout);
    const journal = await openJournal(values.journal);
    const out = values.out as string | undefined;
    await checkOutDir(out);
    const text = await readSource(source, stdin);
    const name = source === '-' ? 'stdin' : source;
    const format = jobsFormat(source === '-' ? '' : source, text, values.format as string | undefined);
    const jobs = readJobs(text, { name, format, flowId, root: (values.root as string | undefined) ?? 'Input' });
    const connection = connect(values, env);
    const cancelOnExit = values['cancel-on-exit'] === true;
    const snapshots$ = connection.client.runBatch(
      jobs.map(({ key, flowId: id, input }) => ({ key, flowId: id, ...(input !== undefined ? { input } : {}) })),
      {
        ...(concurrency !== undefined ? { concurrency } : {}),
        failFast: values['fail-fast'] === true,
        skipUserInput: values['skip-user-input'] === true,
        onUserInput: 'error',
        cancelOnUnsubscribe: cancelOnExit,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(journal !== undefined ? { journal: journal.journal } : {}),
      },
    );
    if (!context.term.json) context.term.note(`Running ${jobs.length} job${jobs.length === 1 ? '' : 's'} (${name}), ${concurrency ?? 4} at a time…`);
    return runJobs(context, connection, snapshots$, { out, cancelOnExit, journal, source: name });
  },
};

interface Ended {
  item: BatchItem;
  written: WrittenDocument[];
}

interface RunSettings {
  out: string | undefined;
  cancelOnExit: boolean;
  journal: CliJournal | undefined;
  /** The jobs file's name, for messages. */
  source: string;
}

/** A job that ended in an earlier run of a journaled batch (so no error and no progress, its outcome instead). */
const fromJournal = (item: BatchItem) => item.resumedAs === 'journal';

function runJobs(context: CommandContext, connection: Connection, snapshots$: Observable<BatchSnapshot>, settings: RunSettings): Promise<number> {
  const { term, interrupts } = context;
  const { journal } = settings;
  const startedAt = Date.now();
  let last: BatchSnapshot | undefined;
  let previous: readonly BatchItem[] = [];
  const failures: unknown[] = [];

  const download = (item: BatchItem): Observable<Ended> => {
    if (!settings.out || item.state !== 'succeeded') return of({ item, written: [] });
    const dir = `${settings.out}/${safeFileName(item.key, 'job')}`;
    // A job ended before: its documents were written then, unless that run died first.
    const refs$ = fromJournal(item) ? from(stat(dir).then(() => [], () => item.outcome?.documents ?? [])) : of(findDocuments([item.progress?.model, item.execution?.state]));
    return refs$.pipe(
      mergeMap((refs) => from(refs)),
      mergeMap((ref) => connection.client.downloadDocument(ref.id), 1),
      toArray(),
      mergeMap((documents) => (documents.length === 0 && fromJournal(item) ? of([]) : writeDocuments(dir, documents))),
      map((written) => ({ item, written })),
    );
  };

  const reportUncertain = (item: BatchItem) => {
    const { reason = '', candidateIds = [] } = item.uncertainty ?? {};
    term.result(`${term.paint('Uncertain'.padEnd(11), 'yellow')} ${item.key}  -  ${reason}`);
    if (candidateIds.length > 0) term.result(`  may be one of: ${candidateIds.join(', ')}`);
    term.event({ type: 'job', key: item.key, state: 'uncertain', reason, candidateIds });
  };

  const report = ({ item, written }: Ended) => {
    if (item.state === 'uncertain') {
      reportUncertain(item);
      drawBar();
      return;
    }
    const ok = item.state === 'succeeded';
    const old = fromJournal(item);
    const status = old ? (item.outcome?.status ?? (ok ? 'Success' : (item.outcome?.error?.name ?? 'Failed'))) : ok ? (item.progress?.status ?? 'Success') : failureStatus(item.error);
    if (!ok) failures.push(old ? item.outcome?.error : item.error);
    const why = old ? (item.outcome?.error?.message ?? '') : describe(item.error);
    const detail = old ? `${ok ? 'ended before' : why} (from the journal)` : ok ? (item.progress?.message ?? '') : why;
    const colour = !ok ? 'red' : status === 'Warning' ? 'yellow' : 'green';
    term.result(`${term.paint(status.padEnd(11), colour)} ${item.key}  ${item.executionId ?? '-'}  ${detail}`.trimEnd());
    for (const doc of written) term.result(`  wrote ${doc.path} (${doc.bytes} bytes)`);
    const failure = old ? { error: item.outcome?.error?.name ?? 'Error', message: why } : errorJson(item.error);
    term.event({
      type: 'job',
      key: item.key,
      state: item.state,
      status,
      ...(item.executionId ? { executionId: item.executionId } : {}),
      ...(item.resumedAs ? { resumed: item.resumedAs } : {}),
      ...(ok ? { message: item.progress?.message, documents: written } : failure),
    });
    drawBar();
  };

  const drawBar = () => {
    if (!last) return;
    const { total, succeeded, failed, running, percentage } = last;
    term.status(`${bar(percentage)} ${String(percentage).padStart(3)}% ${succeeded + failed}/${total}  ${term.paint(`✔ ${succeeded}`, 'green', 'err')}  ${term.paint(`✘ ${failed}`, failed ? 'red' : 'dim', 'err')}  ▶ ${running} running`);
  };

  // Jobs that ended since the last snapshot (and, for --json, jobs that just got an execution).
  const changes = (snapshot: BatchSnapshot): BatchItem[] => {
    if (!last && journal && snapshot.journal) reportJournal(term, journal, snapshot.journal);
    const ended: BatchItem[] = [];
    snapshot.items.forEach((item, i) => {
      const before = previous[i];
      if (item.executionId && !before?.executionId && item.state === 'running') {
        term.event({ type: 'job', key: item.key, state: 'running', executionId: item.executionId, ...(item.resumedAs ? { resumed: item.resumedAs } : {}) });
      }
      if (item.state !== 'queued' && item.state !== 'running' && before?.state !== item.state) ended.push(item);
    });
    previous = snapshot.items;
    last = snapshot;
    drawBar();
    return ended;
  };

  const summary = (code: number): number => {
    term.clearStatus();
    if (!last) return code;
    const { total, succeeded, failed, uncertain } = last;
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    term.event({ type: 'summary', total, succeeded, failed, running: last.running, queued: last.queued, ...(journal ? { uncertain, ...journalJson(journal, last) } : {}) });
    if (!term.json) {
      const left = last.running + last.queued ? `, ${last.running} running, ${last.queued} not started` : '';
      term.note(`${total} job${total === 1 ? '' : 's'} in ${seconds} s: ${succeeded} succeeded, ${failed} failed${uncertain ? `, ${uncertain} uncertain` : ''}${left}${journal ? journalSummary(last.items) : ''}`);
    }
    if (journal && uncertain > 0) uncertainAdvice(term, journal, uncertain);
    return code;
  };

  /** Why the batch could not run at all, when the journal is the reason (exit 2), else undefined. */
  const journalRefusal = (error: unknown): string | undefined => {
    if (!journal) return undefined;
    const cause = isSmartFlowsJournalError(error) ? (error as { cause?: unknown }).cause : undefined;
    if (cause instanceof UnreadableJournal) return cause.message;
    // The journal was read and no snapshot came: the jobs did not match the journal's plan.
    if (journal.read && !last && isSmartFlowsInputError(error)) return `${journal.path} is the journal of another batch than ${settings.source}: ${error.message} (a new batch needs a new journal file)`;
    return undefined;
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number) => resolve(summary(code));
    const subscription = snapshots$
      .pipe(
        mergeMap((snapshot) => from(changes(snapshot))),
        mergeMap(download, DOWNLOADS_AT_ONCE),
      )
      .subscribe({
        next: report,
        error: async (error: unknown) => {
          // --fail-fast: the failed job is not in a snapshot yet; the rest were unsubscribed
          // (and, with --cancel-on-exit, canceled: let those calls arrive).
          await connection.requests.drain(DRAIN_MS);
          await journal?.flushed();
          term.clearStatus();
          if (isSmartFlowsBatchError(error)) {
            const cause = (error as { cause?: unknown }).cause;
            const item: BatchItem = { key: error.key, state: 'failed', error: cause, ...(error.executionId ? { executionId: error.executionId } : {}) };
            if (!previous.some((p) => p.key === error.key && p.state === 'failed')) report({ item, written: [] });
            if (last) last = { ...last, failed: last.failed + 1, running: Math.max(0, last.running - 1) };
            term.note(`Stopped at the first failure (--fail-fast): job ${error.key}`);
            finish(exitCodeOf(cause));
            return;
          }
          const refusal = journalRefusal(error);
          term.event({ type: 'error', ...errorJson(error), ...(refusal ? { message: refusal } : {}) });
          term.note(`smart-flows batch: ${refusal ?? describe(error)}`);
          finish(refusal ? EXIT.usage : exitCodeOf(error));
        },
        complete: () => {
          const failed = last?.failed ?? 0;
          // Every failure a refused connection, nothing succeeded: the server was out of reach.
          const unreachable = failed > 0 && last?.succeeded === 0 && failures.every((e) => exitCodeOf(e) === EXIT.unreachable);
          finish(failed === 0 && !last?.uncertain ? EXIT.ok : unreachable ? EXIT.unreachable : EXIT.failed);
        },
      });

    interrupts.onInterrupt(async () => {
      subscription.unsubscribe();
      await connection.requests.drain(DRAIN_MS);
      // A record being written when Ctrl-C came is finished, so the journal ends on a whole line.
      await journal?.flushed();
      term.clearStatus();
      const running = (last?.items ?? []).filter((item) => item.state === 'running' && item.executionId);
      term.event({ type: 'interrupted', canceled: settings.cancelOnExit, running: running.map(({ key, executionId }) => ({ key, executionId })), ...(journal ? { journal: journal.path } : {}) });
      const fate = settings.cancelOnExit ? 'canceled' : 'going on on the server (follow one with: smart-flows watch <executionId>)';
      term.note(`Interrupted: ${running.length} running job${running.length === 1 ? '' : 's'} ${fate}`);
      for (const { key, executionId } of running) term.note(`  ${key}  ${executionId}`);
      if (journal) term.note(`Run the same command again to resume the batch from ${journal.path}.`);
      // No summary: its counts were taken before the stop and would call canceled jobs running.
      resolve(EXIT.interrupted);
    });
  });
}
