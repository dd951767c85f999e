// quickstart.mjs: node quickstart.mjs <flowId>, with SMART_FLOWS_URL and SMART_FLOWS_API_KEY set
import { SmartFlowsClient, isFlowExecutionError } from 'smart-flows-rx';

const client = new SmartFlowsClient({
  baseUrl: process.env.SMART_FLOWS_URL,     // e.g. https://flows.example.com:8443 ('/api/v1' is appended)
  apiKey: process.env.SMART_FLOWS_API_KEY,  // sent as X-API-Key
});

client.run(process.argv[2], '<Invoice><Customer>ACME</Customer></Invoice>').subscribe({
  next: (event) =>
    event.type === 'progress'
      ? console.log(`${event.progress.percentage}% ${event.progress.status} ${event.progress.message}`)
      : console.log('done:', event.execution.status, event.execution.state?.output),
  error: (e) => {
    console.error(isFlowExecutionError(e) ? `flow ended in ${e.status}` : e.message, e.executionId ?? '');
    process.exitCode = 1;
  },
});
