// Part "fleet" (issue 29's part 5; `--part=fleet`, only when asked): a fleet of BullMQ worker
// processes on a real redis-server, as `npm run test:fleet` runs it (spec/bullmq/redis/fleet.fleet.ts):
// 4 workers × concurrency 250 = 1,000 live executions of ~60 s flows, 5,000 jobs, 3 SIGKILLs and a
// 429 burst, then 1,000 jobs on workers that poll per execution for comparison. This part runs that
// test (its assertions included) and keeps its figures: listing requests per cycle against
// per-execution polling's progress requests per second, the pause of the fleet in the burst,
// throughput. Needs Debian's redis-server (apt-get install redis-server) and the build (npm run bench builds).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, target } from './common.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fleet test once (about 9 minutes on 2 CPUs) and gives its figures. */
export async function runFleetBenchmark({ quick = false } = {}) {
  const json = path.join(mkdtempSync(path.join(tmpdir(), 'sfrx-bench-fleet-')), 'fleet.json');
  // --quick: a tenth of the fleet, 6 s flows: for trying things, not figures to publish.
  const scale = quick ? { FLEET_JOBS: '500', FLEET_CONCURRENCY: '25', FLEET_FLOW_MS: '6000', FLEET_COMPARE_JOBS: '100' } : {};
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const jest = spawn(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', 'spec/bullmq/redis/jest.config.js', '--runInBand'], {
      cwd: ROOT,
      env: { ...process.env, FLEET: '1', FLEET_JSON: json, ...scale },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    jest.on('exit', (c) => resolve(c ?? 1));
  });
  const fleet = JSON.parse(readFileSync(json, 'utf8'));
  const { listRequestsPerCycle: list } = fleet.listing;
  const poll = fleet.polling.progressRequestsPerSecond;
  const rows = [
    { strategy: "tracking: 'listing' (the recipe)", 'live executions': list.live, 'status requests / s': list.perCycle, 'p95 / s': list.p95, 'max / s': list.max, 'seconds measured': list.seconds },
    { strategy: 'per-execution polling (default)', 'live executions': poll.live, 'status requests / s': poll.perCycle, 'p95 / s': poll.p95, 'max / s': poll.max, 'seconds measured': poll.seconds },
  ];
  printTable(`Part fleet: ${fleet.workers} BullMQ ${fleet.bullmq} workers × ${fleet.concurrency}, ${fleet.jobs} jobs of ~${fleet.flowSeconds} s, 3 SIGKILLs, a ${fleet.burst.seconds} s 429 burst (real redis-server, simulator over HTTP)`, rows);
  const targets = [
    target('test passed (no duplicate start, none lost, outcomes the server\'s)', code === 0 ? 1 : 0, '1', code === 0),
    target(`listing requests per cycle with ~${list.live} live`, list.perCycle, `≤ ${fleet.workers} × 1.1`, list.perCycle <= fleet.workers * 1.1),
    target('starts reaching the server while the fleet is paused (429 burst)', fleet.burst.startsWhilePaused, '0', fleet.burst.startsWhilePaused === 0),
  ];
  printTable('Part fleet targets', targets);
  return {
    setup: {
      command: 'npm run bench -- --part=fleet (runs npm run test:fleet without its build)',
      notes: [
        'Real time: a redis-server on loopback, the simulator\'s HTTP server in the test process, each worker a Node process running the docs\' worker recipe on the built package.',
        'Status requests = listing requests (tracker) or progress GETs (polling), per second = per tracker cycle (1 s), over the seconds with at least 90 % of the fleet\'s capacity live on the server.',
        'Per-execution polling runs after the listing phase, 1,000 jobs of the same flows on the same fleet; the client long-polls (waitSeconds auto) and the simulator holds each progress call until the next stage.',
      ],
      quick,
    },
    fleet,
    wallSeconds: Math.round((Date.now() - started) / 1000),
    targets,
  };
}
