// worker.mjs: one worker process. Start as many as you like, on as many machines as you like.
import { Worker } from 'bullmq';
import { SmartFlowsClient } from 'smart-flows-rx';
import { flowProcessor } from 'smart-flows-rx/bullmq';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const client = new SmartFlowsClient({ baseUrl: process.env.SMART_FLOWS_URL, apiKey: process.env.SMART_FLOWS_API_KEY });
// How long the jobs of a worker that died wait before BullMQ hands them to another (BullMQ: 30 s).
const lockDuration = Number(process.env.LOCK_MS ?? 30_000);
const concurrency = Number(process.env.CONCURRENCY ?? 100);

const processor = flowProcessor(client, {
  // The live executions of this process, followed with one listing request per second for all.
  tracking: 'listing',
  // A start answered 429 or 503 pauses every worker of the queue for its Retry-After (else rateLimitMs).
  rateLimit: (ms) => worker.rateLimit(ms),
});
const worker = new Worker('documents', processor, {
  connection,
  concurrency,
  lockDuration,
  stalledInterval: lockDuration,
  // worker.rateLimit needs a limiter; this one also caps starts at 100 a second across the fleet.
  limiter: { max: 100, duration: 1000 },
  // A job whose worker died is handed to another; the third time in a row, it fails.
  maxStalledCount: 3,
});
worker.on('failed', (job, error) => console.error(`${job?.data.key}: ${error.message}`));
// On a deploy: finish the running jobs, take no new ones, then exit.
process.on('SIGTERM', () => worker.close());
