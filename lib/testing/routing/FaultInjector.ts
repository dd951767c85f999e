import type { FaultOptions, SimulatorFaultCounts, SimulatorRouteName } from '../statsTypes.js';
import type { Random } from '../engine/random.js';

/** A fault that replaces the answer. */
export type AnswerFault = 'status503' | 'status429' | 'status500' | 'reset' | 'malformedJson';

/** What to do to one request. */
export interface FaultPlan {
  latencyMs: number;
  fault?: AnswerFault;
  retryAfterSeconds?: number;
  slowBodyMs?: number;
}

const ORDER: [AnswerFault, keyof FaultOptions][] = [
  ['reset', 'rateReset'],
  ['status503', 'rate503'],
  ['status429', 'rate429'],
  ['status500', 'rate500'],
  ['malformedJson', 'rateMalformedJson'],
];

/** Zeroed fault counters. */
export function emptyFaultCounts(): SimulatorFaultCounts {
  return { latency: 0, status503: 0, status429: 0, status500: 0, reset: 0, malformedJson: 0, slowBody: 0 };
}

/**
 * Decides, from a seeded PRNG, which requests fail and how. Every request on a faulted
 * route draws exactly two numbers whatever the options, so the same seed and the same
 * sequence of requests give the same faults even after `setFaults` changes the rates.
 */
export class FaultInjector {
  private faults: FaultOptions = {};

  constructor(private readonly random: Random) {}

  /** Replaces the options; throws a RangeError for rates outside 0–1 or a bad latency. */
  set(faults: FaultOptions | undefined): void {
    const next = { ...faults };
    let sum = 0;
    for (const [, option] of ORDER) {
      const rate = next[option];
      if (rate === undefined) continue;
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new RangeError(`faults.${option} must be from 0 to 1, got ${String(rate)}`);
      sum += rate;
    }
    if (sum > 1 + 1e-9) throw new RangeError(`The fault rates add up to ${sum}; at most one fault per request, so at most 1`);
    const latency = next.latencyMs;
    const range = Array.isArray(latency) ? latency : [latency ?? 0, latency ?? 0];
    if (range.length !== 2 || !range.every((n) => typeof n === 'number' && n >= 0) || (range[0] as number) > (range[1] as number)) {
      throw new RangeError(`faults.latencyMs must be a number ≥ 0 or [min, max], got ${JSON.stringify(latency)}`);
    }
    this.faults = next;
  }

  get current(): Readonly<FaultOptions> {
    return this.faults;
  }

  /** Whether faults apply to a route at all (those that do not, draw nothing). */
  applies(route: SimulatorRouteName): boolean {
    const routes = this.faults.routes ?? ['progress'];
    return routes === 'all' || routes.includes(route);
  }

  /** The plan for one request on `route`; `undefined` when the route is not faulted. */
  plan(route: SimulatorRouteName): FaultPlan | undefined {
    if (!this.applies(route)) return undefined;
    const latencyDraw = this.random();
    const faultDraw = this.random();
    const { latencyMs = 0, slowBodyMs, retryAfterSeconds = 1 } = this.faults;
    const plan: FaultPlan = {
      latencyMs: Array.isArray(latencyMs)
        ? Math.round(latencyMs[0] + latencyDraw * (latencyMs[1] - latencyMs[0]))
        : latencyMs,
    };
    // The rates stack into bands of [0, 1): one draw picks at most one fault.
    let band = 0;
    for (const [fault, option] of ORDER) {
      band += Number(this.faults[option] ?? 0);
      if (faultDraw < band) {
        plan.fault = fault;
        break;
      }
    }
    if (plan.fault === 'status503' || plan.fault === 'status429') {
      plan.retryAfterSeconds = typeof retryAfterSeconds === 'function' ? retryAfterSeconds(route) : retryAfterSeconds;
    }
    if (!plan.fault && slowBodyMs) plan.slowBodyMs = slowBodyMs;
    return plan;
  }
}
