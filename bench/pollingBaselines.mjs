// The baselines of part 1: plain fetch loops polling the way other clients do, with no
// library in between: start with one POST, poll progress, GET the execution at the end.
import { mulberry32, sleep } from './common.mjs';

const TERMINAL = new Set(['success', 'warning', 'error', 'canceled', 'interrupted']);
export const isTerminal = (status) => TERMINAL.has(String(status).toLowerCase().replace(/[\s_]/g, ''));

/**
 * AWS SDK waiter backoff (smithy waiter retries): the first check at once, then attempt n waits
 * a random time in [minDelay, minDelay·2^(n−1)], and maxDelay once past the attempt ceiling.
 */
export function awsWaiterDelays({ minDelayMs, maxDelayMs, random }) {
  const ceiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
  return (attempt) => {
    if (attempt === 0) return 0;
    if (attempt > ceiling) return maxDelayMs;
    return minDelayMs + random() * (minDelayMs * 2 ** (attempt - 1) - minDelayMs);
  };
}

/**
 * A prototype of the delay rule recommended for the library's `nextDelay` (see
 * docs/performance.md), so its effect is measured here before the library adopts it: where the
 * percentage has risen, the rate from the first answer to the latest rise predicts the end;
 * wait a fifth of the time left until then, and once past it, 0.3× the time overdue; with no
 * rise yet, grow by 1.3× per unchanged answer (back to the floor on a change); always within
 * [floorMs, ceilingMs]. The other parameters (the library's constants by default) are there to
 * try variants (bench/peersSchedule.mjs --rule, bench/peers.mjs --variants): `minRises`, the rises
 * seen before the ETA is used (1: the library's); `jumpMs`, a predicted end at most this far
 * ahead is waited for whole, plus `jumpMarginMs` (0: never, the library's); `firstBackoffMs`,
 * before any rise an unchanged answer waits at least this (0: only the backoff, the library's);
 * `afterProbeMs`, the wait after an unchanged first answer (set by the replay only after the
 * burst's hold probe; the library's: the backoff from the floor).
 */
export function proposedDelays({ floorMs = 900, ceilingMs = 3000, etaShare = 0.2, overdueShare = 0.3, backoff = 1.3, minRises = 1, jumpMs = 0, jumpMarginMs = 0, firstBackoffMs = 0, afterProbeMs } = {}) {
  let delay = floorMs;
  let origin;
  let rise;
  let rises = 0;
  return (attempt, progress, nowMs, changed) => {
    if (attempt === 0) {
      origin = { atMs: nowMs, percentage: progress.percentage };
      return (delay = floorMs);
    }
    if (progress.percentage > origin.percentage && progress.percentage !== rise?.percentage) {
      rise = { atMs: nowMs, percentage: progress.percentage };
      rises++;
    }
    let next;
    if (attempt === 1 && afterProbeMs !== undefined && !changed) {
      // Variant afterProbeMs: the first wait after the hold probe (a poll sent at once that told nothing).
      next = afterProbeMs;
    } else if (rise && rises >= minRises && progress.percentage < 100 && rise.atMs > origin.atMs) {
      const endMs = origin.atMs + ((100 - origin.percentage) * (rise.atMs - origin.atMs)) / (rise.percentage - origin.percentage);
      const left = endMs - nowMs;
      // Variant jumpMs: a predicted end within jumpMs is waited for whole (plus jumpMarginMs).
      next = left > 0 && left <= jumpMs ? left + jumpMarginMs : left > 0 ? etaShare * left : overdueShare * -left;
    } else if (!rise && firstBackoffMs && !changed) {
      // Variant firstBackoffMs: before any rise, the delay grows to at least this.
      next = Math.max(firstBackoffMs, delay * backoff);
    } else {
      next = changed ? floorMs : delay * backoff;
    }
    return (delay = Math.round(Math.min(ceilingMs, Math.max(floorMs, next))));
  };
}

/**
 * The baseline strategies: each gives a fresh `delayBefore(attempt)` per execution and the
 * query the vendor sample sends with each poll. All of them stop at a terminal status: the
 * Java sample's `while (percentage < 100)` would loop forever on a flow that fails below 100 %.
 */
export function baselineStrategies(seed) {
  const random = mulberry32(seed);
  return [
    { key: 'a', label: '(a) fixed 200 ms (vendor Java sample)', query: '?timeout=-1', delays: () => () => 200 },
    { key: 'b', label: '(b) fixed 1 s (vendor C# sample)', query: '', delays: () => () => 1000 },
    {
      key: 'c',
      label: '(c) AWS waiter backoff 2 s..120 s, jitter',
      query: '',
      delays: () => awsWaiterDelays({ minDelayMs: 2000, maxDelayMs: 120_000, random }),
    },
  ];
}

/** The library's default delay rule as a bare fetch loop: (d) beside it shows what the library adds. */
export function proposedStrategy() {
  return { key: 'p', label: '(p) the default rule as a bare fetch loop', query: '', delays: () => proposedDelays() };
}

/**
 * A request, sent once more when the connection it was put on turns out closed
 * (`UND_ERR_SOCKET`, `ECONNRESET`): a keep-alive socket the server closed while idle races its reuse (often
 * on a busy machine, where idle timers fire late). The server closed it idle, so it read
 * nothing from it; sending again (up to three tries: the pool may hold several) is what any client does.
 */
export async function send(url, init, tries = 3) {
  try {
    return await globalThis.fetch(url, init);
  } catch (error) {
    if (tries <= 1 || (error?.cause?.code !== 'UND_ERR_SOCKET' && error?.cause?.code !== 'ECONNRESET')) throw error;
    return send(url, init, tries - 1);
  }
}

/**
 * Runs one execution of `flowId` and polls it with `delayBefore(attempt)` until a terminal status.
 * @returns the execution id, progress requests sent, the percentages shown (with when) and
 *   when the client was done (after the final GET of the execution).
 */
export async function followWithFetchLoop({ baseUrl, apiKey, flowId, delayBefore, query }) {
  const api = `${baseUrl}/api/v1`;
  const headers = { 'X-API-Key': apiKey, Accept: 'application/json' };
  const started = await send(`${api}/flows/executions?flowId=${flowId}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/xml; charset="utf-8"' },
    body: '<Input/>',
  });
  if (!started.ok) throw new Error(`start answered ${started.status}`);
  let progress = await started.json();
  const shown = [{ atMs: Date.now(), percentage: progress.percentage }];
  let requests = 0;
  let changed = false;
  for (let attempt = 0; !isTerminal(progress.status); attempt++) {
    const delay = delayBefore(attempt, progress, Date.now(), changed);
    if (delay > 0) await sleep(delay);
    const res = await send(`${api}/flows/executions/${progress.id}/progress${query}`, { headers });
    if (!res.ok) throw new Error(`progress answered ${res.status}`);
    const next = await res.json();
    requests++;
    if (next.percentage !== progress.percentage) shown.push({ atMs: Date.now(), percentage: next.percentage });
    changed = next.percentage !== progress.percentage || next.status !== progress.status || next.message !== progress.message;
    progress = next;
  }
  const final = await send(`${api}/flows/executions/${progress.id}`, { headers });
  await final.json();
  return { id: progress.id, requests, shown, doneAtMs: Date.now() };
}
