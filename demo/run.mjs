#!/usr/bin/env node
// `npm run demo`: runs ten flows, three at a time, on the built-in simulator (or one flow on a
// real server with --url), with live progress bars, a summary table and the documents on disk.
// It imports the built package the way a user would.
import { parseArgs } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catchError, defer, from, lastValueFrom, map, mergeMap, of, tap, toArray } from 'rxjs';
import cliProgress from 'cli-progress';
import { SmartFlowsClient, userInputFields } from 'smart-flows-rx';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    flow: { type: 'string' },
    input: { type: 'string' },
    out: { type: 'string', default: 'demo/output' },
    concurrency: { type: 'string', default: '3' },
    trace: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`Usage: npm run demo [-- --url https://host:port --flow <flowGuid> --input file.xml] [--out dir] [--trace]
Without --url it runs on the built-in simulator. With --url, SMART_FLOWS_API_KEY must hold the API key.
--trace exports the spans (smart-flows-rx/otel) over OTLP/HTTP to a receiver the demo starts, and prints their tree.`);
  process.exit(0);
}

// Counts progress requests per execution, to show how few polls each flow needed.
const polls = new Map();
const countingFetch = (url, init) => {
  const id = /executions\/([0-9a-fA-F-]{36})\/progress/.exec(url)?.[1];
  if (id && (init?.method ?? 'GET') === 'GET') polls.set(id, (polls.get(id) ?? 0) + 1);
  return fetch(url, init);
};

const interactive = process.stdout.isTTY && !process.env.CI;
const outDir = resolve(args.out);

async function main() {
  const target = args.url ? await realServer() : await simulator();
  const client = new SmartFlowsClient({ baseUrl: target.url, apiKey: target.apiKey, fetch: countingFetch });
  console.log(`Running ${target.jobs.length} flow(s) on ${target.label}, ${args.concurrency} at a time; documents go to ${outDir}\n`);
  await mkdir(outDir, { recursive: true });

  // --trace: OpenTelemetry spans to a local OTLP/HTTP receiver (demo/trace.mjs), loaded only then.
  const tracing = args.trace ? await import('./trace.mjs').then((m) => m.startTracing(outDir)) : undefined;
  const display = interactive ? barDisplay(target.jobs) : lineDisplay();
  const started = Date.now();
  const all = () => lastValueFrom(
    from(target.jobs).pipe(
      mergeMap((job) => runJob(client, job, display), Number(args.concurrency)),
      toArray(),
    ),
  );
  const results = await (tracing ? tracing.within(all) : all());
  display.stop();
  await target.close();
  await tracing?.finish();

  results.sort((a, b) => a.index - b.index);
  printSummary(results, Date.now() - started);
  const wrong = results.filter((r) => r.expected && r.status !== r.expected);
  if (wrong.length) {
    console.error(`\n${wrong.length} flow(s) did not reach their scripted outcome.`);
    process.exitCode = 1;
  }
}

/** Runs one job to its end; never errors (a failure is a result too). */
function runJob(client, job, display) {
  return defer(() => {
    const result = { ...job, status: 'Queued', startedAt: Date.now(), documents: [], executionId: undefined };
    let answered = false;
    return client.run(job.flowId, job.input, { downloadDocuments: true }).pipe(
      tap((event) => {
        const { progress } = event;
        result.executionId = event.executionId;
        result.status = progress.status;
        display.update(job, progress);
        // Answer a form the way an app would: build it from the progress, fill it, send it.
        if (progress.status === 'UserInput' && job.answer && !answered) {
          answered = true;
          const fields = userInputFields(progress);
          const values = Object.fromEntries(fields.map((f) => [f.key, job.answer[f.key] ?? f.default]));
          display.note(job, `answering form: ${JSON.stringify(values)}`);
          client.submitUserInput(event.executionId, values).subscribe({ error: (e) => display.note(job, `form failed: ${e.message}`) });
        }
      }),
      mergeMap((event) => (event.type === 'output' ? from(saveDocuments(job, event.documents ?? [])) : of(undefined))),
      map((files) => {
        if (files) result.documents = files;
        return result;
      }),
      catchError((error) => {
        result.status = error.status ?? error.name;
        result.error = error.message;
        display.fail(job, error);
        return of(result);
      }),
      toArray(),
      map(() => ({ ...result, durationMs: Date.now() - result.startedAt, polls: polls.get(result.executionId) ?? 0 })),
    );
  });
}

async function saveDocuments(job, documents) {
  const files = [];
  for (const doc of documents) {
    const file = join(outDir, `${String(job.index + 1).padStart(2, '0')}-${doc.fileName.replace(/[^\w. -]+/g, '_')}`);
    await writeFile(file, doc.data);
    files.push(file);
  }
  return files;
}

function barDisplay(jobs) {
  const width = Math.max(...jobs.map((j) => j.name.length));
  const multibar = new cliProgress.MultiBar(
    { format: '{name} |{bar}| {percentage}% {status} {message}', hideCursor: true, clearOnComplete: false, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(jobs.map((j) => [j.index, multibar.create(100, 0, { name: j.name.padEnd(width), status: 'waiting', message: '' })]));
  return {
    update: (job, p) => bars.get(job.index).update(p.percentage, { status: p.status, message: p.message.slice(0, 40) }),
    note: (job, text) => bars.get(job.index).update({ message: text.slice(0, 40) }),
    fail: (job, e) => bars.get(job.index).update({ status: e.status ?? e.name, message: (e.progress?.message ?? e.message).slice(0, 40) }),
    stop: () => multibar.stop(),
  };
}

function lineDisplay() {
  const last = new Map();
  return {
    update: (job, p) => {
      const line = `${p.status} ${p.percentage}% ${p.message}`;
      if (last.get(job.index) !== line) console.log(`[${job.name}] ${line}`);
      last.set(job.index, line);
    },
    note: (job, text) => console.log(`[${job.name}] ${text}`),
    fail: (job, e) => console.log(`[${job.name}] ended: ${e.name}: ${e.message}`),
    stop: () => undefined,
  };
}

function printSummary(results, totalMs) {
  const rows = results.map((r) => ({
    flow: r.name,
    status: r.status,
    expected: r.expected ?? '',
    duration: `${(r.durationMs / 1000).toFixed(1)} s`,
    polls: String(r.polls),
    documents: r.documents.length ? r.documents.map((f) => f.split('/').pop()).join(', ') : '-',
  }));
  const cols = Object.keys(rows[0]);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
  console.log(`\n${results.length} flows in ${(totalMs / 1000).toFixed(1)} s, ${results.reduce((n, r) => n + r.polls, 0)} progress requests in all.`);
}

async function simulator() {
  const { startSimulatorServer, builtInFlows: f } = await import('smart-flows-rx/testing');
  const server = await startSimulatorServer({ port: 0 });
  const jobs = [
    { name: 'Short letter', flowId: f.short.id, input: '<Letter><To>Ada Lovelace</To></Letter>', expected: 'Success' },
    { name: 'Long annual report', flowId: f.long.id, input: '<Report year="2026"/>', expected: 'Success' },
    { name: 'Queued first', flowId: f.queued.id, input: '<Letter/>', expected: 'Success' },
    { name: 'Warning (e-mail failed)', flowId: f.warning.id, input: '<Letter/>', expected: 'Warning' },
    { name: 'Error (misconfigured)', flowId: f.error.id, input: '<Letter/>', expected: 'Error' },
    { name: 'Interrupted (runaway)', flowId: f.interrupted.id, input: '<Letter/>', expected: 'Interrupted' },
    { name: 'Quote (asks for input)', flowId: f.userInput.id, input: '<Quote amount="1200"/>', expected: 'Success', answer: { approved: true, comment: 'Approved by the demo' } },
    { name: 'Contract pack (3 docs)', flowId: f.multiDocument.id, input: '<Contract/>', expected: 'Success' },
    // A plain object becomes XML through the `smart-flows-rx/xml` entry, loaded only for this.
    { name: 'Invoice from an object', flowId: f.invoice.id, input: { Invoice: { Customer: 'ACME & Sons', Lines: { Line: [{ Amount: 3 }, { Amount: 4 }] } } }, expected: 'Success' },
    { name: 'Second short letter', flowId: f.short.id, input: '<Letter><To>Grace Hopper</To></Letter>', expected: 'Success' },
  ].map((job, index) => ({ ...job, index }));
  return { url: server.url, apiKey: server.apiKey, jobs, label: `the simulator at ${server.url}`, close: () => server.close() };
}

async function realServer() {
  const apiKey = process.env.SMART_FLOWS_API_KEY;
  if (!apiKey) throw new Error('Set SMART_FLOWS_API_KEY to run against a real server.');
  if (!args.flow) throw new Error('Give the flow to run with --flow <flowGuid>.');
  const input = args.input ? await readFile(args.input, 'utf8') : undefined;
  const jobs = [{ name: `Flow ${args.flow.slice(0, 8)}`, flowId: args.flow, input, index: 0 }];
  return { url: args.url, apiKey, jobs, label: args.url, close: async () => undefined };
}

main().catch((error) => {
  console.error(`Demo failed: ${error.message}`);
  process.exitCode = 1;
});
