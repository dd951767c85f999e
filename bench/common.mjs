// Small helpers shared by the benchmark parts: a seeded PRNG, statistics, tables, the machine.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** A seeded PRNG (mulberry32, the simulator's own): the same seed gives the same flows and jitter on every run. */
export { seededRandom as mulberry32 } from 'smart-flows-rx/testing';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0–100) by linear interpolation between closest ranks. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const mean = (values) => (values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length);

/** Rounds for display and for results.json (figures are noisy past 3 significant digits). */
export function round(value, digits = 3) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  if (value === 0) return 0;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** Math.max(0, digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

/** Prints rows (objects with the same keys) as an aligned text table under a title. */
export function printTable(title, rows) {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  const cells = rows.map((row) => keys.map((k) => String(typeof row[k] === 'number' ? round(row[k]) : row[k] ?? '')));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  console.log(line(keys));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

/** What the figures were measured on. */
export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1].trim();
  } catch {
    // Not Linux: os.cpus() already gave the model.
  }
  return {
    cpuModel,
    // What this process may use (cgroup/affinity aware), as `nproc` prints it.
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    totalMemoryGB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
  };
}

/** A target check: the figure, the limit and whether it passed, for tables and results.json. */
export function target(name, value, limit, pass) {
  return { target: name, value: round(value), limit, pass };
}
