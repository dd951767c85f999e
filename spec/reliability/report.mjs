// Renders spec/reliability/results.json (written by the reliability specs of `npm test` when run
// by `npm run reliability:record`, and by `npm run soak`) as the Reliability table of docs/reliability.md (the README links to it), between the
// markers below, the way bench/markdown.mjs renders bench/results.json.
//   node spec/reliability/report.mjs            rewrites the table (npm run reliability:report)
//   node spec/reliability/report.mjs --check    exits 1 when a table differs from the results
//   --results=FILE reads another results file ('-' reads stdin)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const START = '<!-- reliability-table:start — rendered from spec/reliability/results.json by `npm run reliability:report`; do not edit -->';
export const END = '<!-- reliability-table:end -->';
export const TARGETS = ['docs/reliability.md'];

const n = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : '?');
const pct = (v) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${v} %` : '?');
const openHandles = (h) => (Object.keys(h ?? {}).length === 0 ? '0 handles' : Object.entries(h).map(([k, v]) => `${v} ${k}`).join(', '));

function when(section) {
  if (!section) return 'not measured yet';
  const m = section.machine;
  return `${section.measuredAt.slice(0, 16).replace('T', ' ')} UTC, Node ${section.node}, ${m.cpuModel} × ${m.nproc}, ${m.platform}`;
}

function faultsCell(f) {
  if (!f) return '—';
  const per = [...new Set(Object.values(f.reached))];
  return `${n(f.executions)}, ${f.mismatches === 0 ? 'all' : `${n(f.executions - f.mismatches)}`} at their scripted outcome${per.length === 1 ? ` (${n(per[0])} per outcome)` : ''}, in ${(f.durationMs / 1000).toFixed(1)} s`;
}

function injectedCell(f) {
  if (!f) return '—';
  const x = f.faults;
  return `${n(x.status503)} × 503, ${n(x.status500)} × 500, ${n(x.reset)} resets, ${n(x.malformedJson)} malformed JSON, ${n(x.status429)} × 429, ${n(x.latency)} delayed, ${n(f.hugeRetryAfters)} Retry-After > 2^31 ms`;
}

function seenCell(f) {
  if (!f) return '—';
  const s = f.seen;
  const failures = s.status503 + s.status500 + s.status429 + s.reset + s.malformedJson;
  return `${n(failures)} failed answers (${n(s.status503)} × 503, ${n(s.status500)} × 500, ${n(s.reset)} resets, ${n(s.malformedJson)} malformed, ${n(s.status429)} × 429) in ${n(s.executionsWithFailures)} executions; ${n(s.retried)} retried, ${n(s.notRetried)} not; ${n(f.requestsSent)} requests sent (${s.requestsPerExecution.min}–${s.requestsPerExecution.max} per execution after the start)`;
}

function startsCell(f, starts) {
  if (!f) return '—';
  const own = `${n(f.startsCounted)} for ${n(f.executions)} jobs (duplicates: ${n(f.duplicates)})`;
  return starts ? `${own}; with faulted starts: ${n(starts.startRequests)} start requests, ${n(starts.executionsStarted)} executions for ${n(starts.jobs)} jobs` : own;
}

function openCell(f) {
  if (!f) return '—';
  const idle = f.socketsAfterIdleWait >= 0 ? `; ${n(f.socketsAfterIdleWait)} sockets 5.5 s later with the server still up` : '';
  return `${openHandles(f.handlesLeft)}, ${n(f.busyAgentSockets)} busy sockets, ${n(f.inFlightAfterEnd)} requests in flight, ${n(f.unhandledRejections)} unhandled rejections; ${n(f.idleAgentSockets)} idle pooled sockets, ${n(f.referencedIdleSockets)} of them ref'd${idle}`;
}

function cyclesCell(u) {
  if (!u) return '—';
  const p = u.byPoint;
  return `${n(u.cycles)} (${n(p['at-once'])} at once, ${n(p['request-in-flight'])} mid-request, ${n(p['on-event'])} on an event, ${n(p['after-delay'])} after a delay), ${n(u.requestsAfterUnsubscribe)} requests after unsubscribe, ${n(u.cancelsSent)} of ${n(u.cancelsExpected)} allowed cancels sent`;
}

function inFlightCell(u) {
  if (!u) return '—';
  return `${n(u.inFlightAtUnsubscribe)}, ${n(u.inFlightAtUnsubscribe - u.inFlightNotAborted)} aborted (server: ${n(u.inFlightClosedOnServer)} closed before its answer, ${n(u.inFlightAnsweredOnServer)} already answered, ${n(u.inFlightUnseenOnServer)} never reached it, ${n(u.inFlightOpenOnServer)} left open)`;
}

function heapCell(u) {
  if (!u) return '—';
  const curve = u.heapCurveMB.length > 1 ? `; curve ${u.heapBaselineMB} → ${u.heapCurveMB.join(' → ')} MB` : '';
  return `${pct(u.heapDeltaPercent)} after ${n(u.cycles)} cycles${curve}`;
}

function secretsCell(f, u) {
  if (!f && !u) return '—';
  return `${n((f?.errorsScanned ?? 0) + (u?.errorsScanned ?? 0))} errors of these runs scanned, ${n((f?.secretLeaks ?? 0) + (u?.secretLeaks ?? 0))} leaks`;
}

/** The Markdown table (between the markers) for a results object. */
export function renderTable(results) {
  const t = results.test?.figures ?? {};
  const s = results.soak?.figures ?? {};
  const rows = [
    ['measured', when(results.test), when(results.soak)],
    ['executions through the fault mix (10 % 503 + Retry-After, 5 % 500, 5 % resets, 3 % malformed JSON, 2 % 429, latency)', faultsCell(t.faults), faultsCell(s.faults)],
    ['faults injected (counted by the simulator)', injectedCell(t.faults), injectedCell(s.faults)],
    ['faults seen by the client (its fetch)', seenCell(t.faults), seenCell(s.faults)],
    ['starts counted by the simulator', startsCell(t.faults, t.startFaults), startsCell(s.faults, s.startFaults)],
    ['left open after the end', openCell(t.faults), openCell(s.faults)],
    ['run/unsubscribe cycles', cyclesCell(t.unsubscribe), cyclesCell(s.unsubscribe)],
    ['requests in flight at the unsubscribe', inFlightCell(t.unsubscribe), inFlightCell(s.unsubscribe)],
    ['heap after GC', heapCell(t.unsubscribe), heapCell(s.unsubscribe)],
    ['bad inputs refused', t.badInput ? `${n(t.badInput.refused)} of ${n(t.badInput.cases)}, ${n(t.badInput.requestsSent)} requests` : '—', s.badInput ? `${n(s.badInput.refused)}` : '—'],
    ['secret leaks', secretsCell(t.faults, t.unsubscribe), secretsCell(s.faults, s.unsubscribe)],
  ];
  const cell = (v) => String(v).replace(/\|/g, '\\|');
  return ['| | `npm test` | `npm run soak` |', '|---|---|---|', ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** `text` with the part between the markers replaced by the table; throws when a marker is missing. */
export function withTable(text, table, name = 'the file') {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${name} has no reliability-table markers`);
  return `${text.slice(0, a + START.length)}\n${table}\n${text.slice(b)}`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const args = process.argv.slice(2);
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const given = args.find((a) => a.startsWith('--results='))?.slice('--results='.length);
  const source = given === '-' ? readFileSync(0, 'utf8') : readFileSync(given ?? path.join(root, 'spec/reliability/results.json'), 'utf8');
  const table = renderTable(JSON.parse(source));
  const stale = [];
  for (const target of TARGETS) {
    const file = path.join(root, target);
    const text = readFileSync(file, 'utf8');
    const next = withTable(text, table, target);
    if (next === text) continue;
    if (args.includes('--check')) stale.push(target);
    else {
      writeFileSync(file, next);
      console.error(`Rendered the Reliability table into ${target}`);
    }
  }
  if (stale.length) {
    console.error(`The Reliability table in ${stale.join(' and ')} differs from spec/reliability/results.json: run npm run reliability:report`);
    process.exitCode = 1;
  }
}
