// The fleet test's comparison worker: the docs' worker recipe (spec/consumers/bullmq/worker.mjs)
// with the processor's default tracking, a poll loop per job. Not a recipe of the docs.
import { Worker } from 'bullmq';
import { SmartFlowsClient } from 'smart-flows-rx';
import { flowProcessor } from 'smart-flows-rx/bullmq';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const client = new SmartFlowsClient({ baseUrl: process.env.SMART_FLOWS_URL, apiKey: process.env.SMART_FLOWS_API_KEY });
const lockDuration = Number(process.env.LOCK_MS ?? 30_000);
const concurrency = Number(process.env.CONCURRENCY ?? 100);

const processor = flowProcessor(client, { rateLimit: (ms) => worker.rateLimit(ms) });
const worker = new Worker('documents', processor, {
  connection,
  concurrency,
  lockDuration,
  stalledInterval: lockDuration,
  limiter: { max: 100, duration: 1000 },
  maxStalledCount: 3,
});
process.on('SIGTERM', () => worker.close());
