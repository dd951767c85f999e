/** The flow sets of part 6. */
export const FLOW_SETS: Record<string, { label: string; minMs: number; maxMs: number; spreadMs: number }>;
/** A poll schedule: the wait before the first poll, and a fresh delay function per execution. */
export interface Schedule {
  key: string;
  label?: string;
  first: number;
  delays: () => (attempt: number, progress: { percentage: number }, nowMs: number, changed: boolean) => number;
}
export function scheduleStrategies(options?: { seed?: number; rule?: Record<string, number> }): Schedule[];
/** One schedule replayed over the flows: requests per execution and lag percentiles. */
export function replay(flows: object[], strategy: Schedule): { requestsPerExecution: number; lagP50Ms: number; lagP95Ms: number };
export function scheduleRows(options: {
  count?: number;
  seed?: number;
  flowSets: Record<string, { minMs: number; maxMs: number }>;
  rule?: Record<string, number>;
}): { flows: string; key: string; strategy?: string; requestsPerExecution: number; lagP50Ms: number; lagP95Ms: number }[];
