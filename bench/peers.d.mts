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
