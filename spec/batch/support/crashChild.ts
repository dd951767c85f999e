// The batch process of the crash test: runs a journaled batch against the simulator server the
// test started, and prints (one JSON line each) what its journal held and, at the end, every
// job's outcome. The test SIGKILLs it at random moments and starts it again on the same journal.
import { SmartFlowsClient } from '../../../lib/client';
import { fileJournal } from '../../../lib/node/fileJournal';

const config = JSON.parse(process.env.CRASH_CHILD ?? '{}') as { baseUrl: string; apiKey: string; journal: string; jobs: number; flows: string[] };
const client = new SmartFlowsClient({
  baseUrl: config.baseUrl,
  apiKey: config.apiKey,
  fetch: globalThis.fetch,
  polling: { intervalMs: 25, maxIntervalMs: 100, idleIntervalMs: 100 },
});
const jobs = Array.from({ length: config.jobs }, (_, i) => ({ flowId: config.flows[i % config.flows.length]!, input: `<Letter><No>${i}</No></Letter>`, key: `job-${i}` }));
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

let first = true;
client.runBatch(jobs, { journal: fileJournal(config.journal), concurrency: 25, snapshotIntervalMs: 100 }).subscribe({
  next: (snapshot) => {
    if (first) print({ journal: snapshot.journal });
    first = false;
    if (snapshot.done) {
      print({ items: snapshot.items.map((i) => ({ key: i.key, state: i.state, executionId: i.executionId, status: i.outcome?.status, resumedAs: i.resumedAs })) });
    }
  },
  error: (error: unknown) => {
    process.stderr.write(`batch failed: ${String(error)}\n`);
    process.exitCode = 3;
  },
});
