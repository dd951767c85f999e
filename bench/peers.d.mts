/** A row of part 6 as the dominance checks read it. */
export interface PeerFigures {
  key: string;
  requestsPerExecution: number;
  lagP95Ms: number;
}
/** The peers `ours` does not dominate (issue 31's target: the list must be empty). */
export function notDominated<T extends PeerFigures>(ours: PeerFigures, peers: T[]): T[];
/** The peers that dominate `ours` (as few or fewer requests and as low or lower p95 lag, one of them strictly). */
export function dominating<T extends PeerFigures>(ours: PeerFigures, peers: T[]): T[];
/** Part 6: the figures, setup and targets written to results.json's `parts.peers`. */
export function runPeersBenchmark(options?: { count?: number }): Promise<unknown>;
/** The peers no other peer dominates, by requests per execution. */
export function peersFront<T extends PeerFigures>(peers: T[]): T[];
/** The front's p95 lag at `requests` on log–log axes (interpolated; the nearest end beyond the ends). */
export function frontLagAt(front: PeerFigures[], requests: number): number;
export const BEYOND_FRONT: number;
export const KEEP_THE_LEAD: number;
/** A target row of part 6. */
export interface PeerTarget {
  target: string;
  value: number;
  limit: string;
  pass: boolean;
  info?: boolean;
  peers?: string;
  why?: string;
}
/** Issue 31's targets for one flow set × server: info (literal), T1, T2 and, where the server holds, T3. */
export function peerTargets(where: string, ours: PeerFigures, peers: PeerFigures[], options?: { holds?: boolean }): PeerTarget[];
