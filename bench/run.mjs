// `npm run bench`: every part against baselines measured in the same run, a table per part,
// and bench/results.json. Options: --part=1,2,3 (default all), --no-write, --quick (smaller
// runs for trying things; its figures are not the ones to publish),
// --polling='[{"intervalMs":400}]' (more client polling options to compare in part 1),
// --sizes=100,1000,5000,20000 (part 2's live executions; default 100,1000,5000).
// Part 4 (tracking many executions, bench/tracking.mjs) runs by default like parts 1–3, and so
// do part 6 (peers: the pollers people would pick instead, bench/peers.mjs; about 7 minutes)
// and part 7 (how fast the command line starts, bench/cliStart.mjs).
// Part 5 (which fetch, bench/fetch.mjs) runs only when asked (--part=5), once per Node version
// (scripts/node-matrix.mjs); its figures go to results.json's `fetchByNode.node<major>`, and a
// run of part 5 alone keeps the other parts' figures in the file. A run of some parts keeps the
// figures of the parts it did not run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineInfo, printTable } from './common.mjs';
import { runBundleBenchmark } from './bundle.mjs';
import { runCliStartBenchmark } from './cliStart.mjs';
import { runFetchBenchmark } from './fetch.mjs';
import { runOverheadBenchmark } from './overhead.mjs';
import { runPeersBenchmark } from './peers.mjs';
import { runPollingBenchmark } from './polling.mjs';
import { runTrackingBenchmark } from './tracking.mjs';
import { runFleetBenchmark } from './fleet.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length ? v.join('=') : true];
  }),
);
const parts = new Set(String(args.part ?? '1,2,3,4,6,7').split(',').map(Number));
const quick = args.quick === true;

if (typeof global.gc !== 'function') {
  console.error('Run with --expose-gc (npm run bench does) so heap figures are measured after a full GC.');
  process.exit(2);
}

const startedAt = new Date();
const results = { startedAt: startedAt.toISOString(), machine: machineInfo(), quick, parts: {} };
console.log(`smart-flows-rx benchmarks on ${results.machine.cpuModel}, ${results.machine.nproc} CPUs, Node ${results.machine.node}`);

if (parts.has(1)) {
  results.parts.polling = await runPollingBenchmark({
    count: quick ? 60 : 200,
    spreadMs: quick ? 15_000 : 45_000,
    extraPolling: args.polling ? JSON.parse(args.polling) : [],
  });
}
if (parts.has(2)) results.parts.overhead = await runOverheadBenchmark({ quick, sizes: args.sizes ? String(args.sizes).split(',').map(Number) : undefined });
if (parts.has(3)) results.parts.bundle = await runBundleBenchmark();
if (parts.has(4)) results.parts.tracking = await runTrackingBenchmark({ quick });
if (parts.has(6)) results.parts.peers = await runPeersBenchmark({ count: quick ? 40 : 200 });
if (parts.has(7)) results.parts.cliStart = await runCliStartBenchmark({ quick });
const fetchPart = parts.has(5) ? await runFetchBenchmark({ quick }) : undefined;
if (String(args.part ?? '').split(',').includes('fleet')) results.parts.fleet = await runFleetBenchmark({ quick }); // issue 29: --part=fleet, only when asked (bench/fleet.mjs)

results.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
const targets = Object.entries(results.parts).flatMap(([part, r]) => (r.targets ?? []).map((t) => ({ part, ...t })));
printTable(`All targets (run took ${results.durationSeconds} s)`, targets.map((t) => ({ ...t, pass: t.pass ? 'yes' : 'NO' })));

if (args['no-write'] !== true) {
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  let previous = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // No results yet.
  }
  const fetchByNode = { ...previous.fetchByNode };
  if (fetchPart) {
    fetchByNode[`node${process.versions.node.split('.')[0]}`] = { startedAt: results.startedAt, machine: results.machine, quick, durationSeconds: results.durationSeconds, ...fetchPart };
  }
  // Parts not run this time keep their previous figures (a run of part 4 alone keeps parts 1–3,
  // and the file's own startedAt/machine, which describe the last full run); each part written
  // now says when and where it was measured.
  for (const part of Object.values(results.parts)) Object.assign(part, { measuredAt: results.startedAt, machine: results.machine, durationSeconds: results.durationSeconds });
  const full = [1, 2, 3, 4].every((p) => parts.has(p));
  const written = Object.keys(results.parts).length === 0 ? { ...previous, fetchByNode }
    // The fleet part runs only when asked (--part=fleet, minutes on a redis-server): a full run keeps it.
    : full ? { ...results, parts: { ...(previous.parts?.fleet ? { fleet: previous.parts.fleet } : {}), ...results.parts }, fetchByNode }
    : { ...previous, parts: { ...previous.parts, ...results.parts }, fetchByNode };
  writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
  console.log(`\nWrote ${file}`);
}
// A bundle that carries xmlbuilder2 in the core is a defect, not a slow figure: fail the run.
if (results.parts.bundle && !results.parts.bundle.coreFreeOfXmlbuilder2) process.exitCode = 1;
