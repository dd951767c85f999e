// tracking.mjs: 1,000 letters in one batch, followed with one listing request a cycle for all of them.
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';

const client = new SmartFlowsClient({
  baseUrl: process.env.SMART_FLOWS_URL,
  apiKey: process.env.SMART_FLOWS_API_KEY,
  // What the tracker does, cycle by cycle (the library never logs): here, only its fallbacks.
  tracker: { onDebug: (e) => e.type !== 'cycle' && console.warn('tracker:', e.type, e.detail) },
});
const flowId = process.env.FLOW_ID;
const jobs = Array.from({ length: 1000 }, (_, i) => ({ flowId, input: `<Letter><No>${i + 1}</No></Letter>`, key: `letter-${i + 1}` }));

const batch = await lastValueFrom(client.runBatch(jobs, { concurrency: 1000, tracking: 'listing' }));
console.log(`batch: ${batch.succeeded} succeeded, ${batch.failed} failed`);

// One run, and a watch of it, the same way.
const started = await lastValueFrom(client.run(flowId, '<Letter><No>1001</No></Letter>', { tracking: 'listing' }));
const watched = await lastValueFrom(client.watch(started.executionId, { tracking: 'listing' }));
console.log(`run: ${started.execution.status}, watch: ${watched.type}`);
