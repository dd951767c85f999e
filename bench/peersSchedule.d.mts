/** The flow sets of part 6. */
export const FLOW_SETS: Record<string, { label: string; minMs: number; maxMs: number; spreadMs: number }>;
/** A poll schedule: the wait before the first poll, and a fresh delay function per execution. */
export interface Schedule {
  key: string;
  label?: string;
  first: number;
  delays: () => (attempt: number, progress: { percentage: number }, nowMs: number, changed: boolean) => number;
}
export function scheduleStrategies(options?: { seed?: number; rule?: Record<string, number>; burst?: boolean }): Schedule[];
/** Issue 31's scenario: 40 executions of 2–8 s started at once, in three stage shapes. */
export const BURST_SETS: Record<string, { label: string; count: number; minMs: number; maxMs: number; shape: 'one' | 'even' | 'stages'; burst: boolean }>;
/** The flows of a burst scenario. */
export function burstFlows(options: { count: number; seed: number; minMs: number; maxMs: number; shape: string }): object[];
/** One schedule replayed over the flows: requests per execution and lag percentiles. */
export function replay(flows: object[], strategy: Schedule): { requestsPerExecution: number; lagP50Ms: number; lagP95Ms: number };
export function scheduleRows(options: {
  count?: number;
  seed?: number;
  flowSets: Record<string, { minMs: number; maxMs: number; shape?: string; burst?: boolean; count?: number }>;
  rule?: Record<string, number>;
}): { flows: string; key: string; strategy?: string; requestsPerExecution: number; lagP50Ms: number; lagP95Ms: number }[];
