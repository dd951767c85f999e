// how costly is a connect / request here?
import { startSimulatorChild } from './simulatorChild.mjs';
import { pollingFlows } from './pollingFlows.mjs';
const flows = pollingFlows({ count: 2, seed: 1 });
const server = await startSimulatorChild({ flows, seed: 1 });
const [id] = await server.call('create', { flowId: flows[0].id, count: 1 });
const url = `${server.url}/api/v1/flows/executions/${id}/progress`;
const h = { 'X-API-Key': server.apiKey };
for (const conc of [1, 50, 300, 300, 1000]) {
  const t = performance.now(); const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: conc }, () => fetch(url, { headers: h }).then((r) => r.json())));
  const c = process.cpuUsage(c0);
  console.log('conc', conc, 'wall', (performance.now() - t).toFixed(0), 'cpu ms', ((c.user + c.system) / 1000).toFixed(0));
}
for (let k = 0; k < 3; k++) { const t = performance.now(); const c0 = process.cpuUsage(); for (let i = 0; i < 300; i++) await fetch(url, { headers: h }).then((r) => r.json()); const c = process.cpuUsage(c0); console.log('seq 300 wall', (performance.now() - t).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0)); }
await server.close();
