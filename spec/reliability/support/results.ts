import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The reliability figures, kept the way `bench/results.json` keeps the benchmark's: written by
 * the specs that measure them when {@link RECORD_ENV} is `1` (`npm run reliability:record` fills
 * the `test` section, `npm run soak` the `soak` section), rendered into
 * docs/reliability.md by `npm run reliability:report`.
 */
export const RESULTS_FILE = path.resolve(process.cwd(), 'spec/reliability/results.json');

/**
 * The environment variable that lets the specs write the results file. Unset, they measure and
 * assert but write nothing: the file is tracked, and a plain `npm test` must leave a clean clone
 * unmodified.
 */
export const RECORD_ENV = 'RELIABILITY_RECORD';

/** Which run measured a figure. */
export type ResultsSection = 'test' | 'soak';

/** One section of the results file: when, where, and the figures of each scenario by name. */
export interface ResultsSectionData {
  /** ISO time of the latest figure written to the section. */
  measuredAt: string;
  node: string;
  machine: { cpuModel: string; nproc: number; platform: string };
  figures: Record<string, Record<string, unknown> & { measuredAt: string }>;
}

export type ReliabilityResults = Partial<Record<ResultsSection, ResultsSectionData>>;

function machine(): ResultsSectionData['machine'] {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpuModel = match[1].trim();
  } catch {
    // Not Linux: os.cpus() gave the model.
  }
  return {
    cpuModel,
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
  };
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `fn` holding a lock directory: spec files run in parallel processes and share the file. */
function withLock(file: string, fn: () => void): void {
  const lock = `${file}.lock`;
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 30 s was left by a killed run.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 30_000) rmSync(lock, { recursive: true, force: true });
      if (tries > 500) throw new Error(`Could not lock ${lock}`);
      pause(10);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Reads the results file (an empty object when there is none). */
export function readResults(file = RESULTS_FILE): ReliabilityResults {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReliabilityResults;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * Stores the figures of one scenario (`name`) in a section of the results file, with the time,
 * the Node version and the machine, when {@link RECORD_ENV} is `1`; otherwise does nothing.
 * Only plain JSON goes in: pass the figures, not the report.
 * @param file - the results file (another one in tests)
 * @returns whether the figures were written
 */
export function recordResults(section: ResultsSection, name: string, figures: Record<string, unknown>, file = RESULTS_FILE): boolean {
  if (process.env[RECORD_ENV] !== '1') return false;
  const measuredAt = new Date().toISOString();
  withLock(file, () => {
    const all = readResults(file);
    const previous = all[section];
    all[section] = {
      measuredAt,
      node: process.version,
      machine: machine(),
      figures: { ...previous?.figures, [name]: { ...JSON.parse(JSON.stringify(figures)), measuredAt } },
    };
    const ordered: ReliabilityResults = {};
    for (const key of ['test', 'soak'] as const) if (all[key]) ordered[key] = all[key];
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(ordered, null, 2)}\n`);
    renameSync(temp, file);
  });
  return true;
}
