// producer.mjs: adds one job per letter (here from a JSON file: [{ id, flowId, xml }, …]).
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const letters = JSON.parse(await readFile(process.argv[2], 'utf8'));

const queue = new Queue('documents', { connection });
// The most executions the server may run at once for this queue, across every worker.
await queue.setGlobalConcurrency(Number(process.env.MAX_EXECUTIONS ?? 1000));
await queue.addBulk(
  letters.map((letter) => ({
    name: 'letter',
    data: { flowId: letter.flowId, input: letter.xml, key: letter.id },
    // jobId: adding a letter twice adds one job. attempts: a network failure is retried (the retry
    // follows the same execution); a flow that ended in Error is not retried.
    opts: { jobId: letter.id, attempts: 3, backoff: { type: 'exponential', delay: 5_000 } },
  })),
);
await queue.close();
