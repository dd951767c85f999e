// The flows of part 1: one scripted flow per execution, drawn from a fixed seed, and the
// server-side timeline of an execution (what the server shows at each moment).
import { mulberry32 } from './common.mjs';

const guid = (n) => `5f1b0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * `count` flows with total durations log-uniform in [minMs, maxMs]; 3 in 10 wait in the queue
 * first (10–40 % of the duration); 2–8 stages of uneven length (weights drawn as u² + 0.05);
 * the percentage is the share of stages done (as the server reports it), so time and
 * percentage do not move together. Outcomes: 90 % Success, 6 % Warning, 4 % Error.
 */
export function pollingFlows({ count, seed, minMs = 500, maxMs = 20_000 }) {
  const random = mulberry32(seed);
  const flows = [];
  for (let i = 0; i < count; i++) {
    const totalMs = Math.round(minMs * (maxMs / minMs) ** random());
    const queueMs = random() < 0.3 ? Math.round(totalMs * (0.1 + 0.3 * random())) : 0;
    const n = 2 + Math.floor(random() * 7);
    const weights = Array.from({ length: n }, () => random() ** 2 + 0.05);
    const sum = weights.reduce((s, w) => s + w, 0);
    const runMs = totalMs - queueMs;
    const durations = weights.map((w) => Math.max(1, Math.round((w / sum) * runMs)));
    durations[n - 1] = Math.max(1, runMs - durations.slice(0, -1).reduce((s, d) => s + d, 0));
    const roll = random();
    flows.push({
      id: guid(i + 1),
      displayName: `Bench flow ${i + 1}`,
      ...(queueMs ? { queueMs } : {}),
      stages: durations.map((durationMs, k) => ({ message: `Step ${k + 1} of ${n}`, durationMs, percentage: Math.round((100 * k) / n) })),
      outcome: roll < 0.9 ? 'Success' : roll < 0.96 ? 'Warning' : 'Error',
    });
  }
  return flows;
}

/**
 * What the server shows from `createdAtMs` on: `[{ atMs, percentage }]` (one entry per state,
 * terminal last) and the terminal moment. Mirrors the simulator's rules (zero-length stages
 * are skipped; an unsuccessful end keeps the last stage's percentage).
 */
export function serverTimeline(flow, createdAtMs) {
  const states = [];
  let t = createdAtMs;
  if (flow.queueMs) {
    states.push({ atMs: t, percentage: 0 });
    t += flow.queueMs;
  }
  let last = 0;
  for (const stage of flow.stages) {
    if (stage.durationMs <= 0) continue;
    states.push({ atMs: t, percentage: stage.percentage });
    t += stage.durationMs;
    last = stage.percentage;
  }
  const success = flow.outcome === 'Success' || flow.outcome === 'Warning';
  states.push({ atMs: t, percentage: success ? 100 : last });
  return { states, terminalAtMs: t };
}

/** State changes a client can see after the start answer (each stage, and the end). */
export const stateChanges = (timeline) => timeline.states.length - 1;

/**
 * Mean staleness of the percentage shown while the execution ran ([created, terminal)).
 * At each moment: 0 when the shown percentage is the server's, else the time since the
 * server's percentage moved away from the shown one. Before the first answer, 0 % is shown.
 * `shown` is `[{ atMs, percentage }]` in time order (when the client displayed each value).
 */
export function meanStalenessMs(timeline, shown) {
  const { states, terminalAtMs } = timeline;
  const startMs = states[0].atMs;
  if (terminalAtMs <= startMs) return 0;
  let total = 0;
  let si = 0; // server state index
  let di = -1; // shown index
  let shownValue = 0;
  let leftAtMs = NaN; // when the server left the shown value; NaN while they agree
  let key = '';
  for (let t = startMs; t < terminalAtMs; t++) {
    while (si + 1 < states.length && states[si + 1].atMs <= t) si++;
    while (di + 1 < shown.length && shown[di + 1].atMs <= t) shownValue = shown[++di].percentage;
    if (key !== `${si} ${di}`) {
      key = `${si} ${di}`;
      if (states[si].percentage === shownValue) leftAtMs = NaN;
      else {
        // The first state after the last one that showed this value (or the start).
        let k = si;
        while (k > 0 && states[k - 1].percentage !== shownValue) k--;
        leftAtMs = states[k].atMs;
      }
    }
    if (!Number.isNaN(leftAtMs)) total += t - leftAtMs;
  }
  return total / (terminalAtMs - startMs);
}
