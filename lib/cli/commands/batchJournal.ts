import type { BatchItem, BatchJournalSummary, BatchSnapshot } from '../../index';
import type { CliJournal } from '../openJournal';
import type { Terminal } from '../Terminal';

/** How many jobs of a finished (or stopped) journaled batch were taken up in which way. */
export interface JournalTally {
  /** Ended in an earlier run: reported from the journal, nothing sent. */
  fromJournal: number;
  /** Started by an earlier run: followed again (`watch`). */
  watched: number;
  /** Their start's answer was lost; found on the server and followed. */
  adopted: number;
  /** Their start's answer was lost; certainly not on the server, so started again. */
  restarted: number;
  /** Their start's answer was lost and the server could not rule it out: not started. */
  uncertain: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Counts the items by how the run took them up. */
export function tallyJournal(items: readonly BatchItem[]): JournalTally {
  const tally: JournalTally = { fromJournal: 0, watched: 0, adopted: 0, restarted: 0, uncertain: 0 };
  for (const item of items) {
    if (item.state === 'uncertain') tally.uncertain++;
    else if (item.resumedAs === 'journal') tally.fromJournal++;
    else if (item.resumedAs) tally[item.resumedAs]++;
  }
  return tally;
}

/**
 * Says, once, what the journal held: on stderr a line (a new journal, or what is resumed, and a
 * last line a crash cut short); with `--json`, a `journal` line.
 */
export function reportJournal(term: Terminal, journal: CliJournal, summary: BatchJournalSummary): void {
  const { resumed, adopted, restarted, uncertain, tornLine } = summary;
  term.event({ type: 'journal', path: journal.path, resumed, adopted, restarted, uncertain, ...(tornLine !== undefined ? { tornLine } : {}) });
  if (tornLine !== undefined) {
    const shown = tornLine.length > 60 ? `${tornLine.slice(0, 59)}…` : tornLine;
    term.note(`${journal.path}: its last line was cut short (the process died while writing it) and was dropped: ${shown}`);
  }
  const fresh = resumed + adopted + restarted + uncertain === 0;
  term.note(
    fresh
      ? `Journal ${journal.path}: if the batch stops, run the same command again to resume it`
      : `Resuming from ${journal.path}: ${resumed} resumed from the journal, ${adopted} adopted, ${restarted} restarted, ${uncertain} uncertain`,
  );
}

/** The end of the summary line for a journaled batch: how its jobs were taken up. */
export function journalSummary(items: readonly BatchItem[]): string {
  const t = tallyJournal(items);
  if (t.fromJournal + t.watched + t.adopted + t.restarted + t.uncertain === 0) return '';
  return `; resumed: ${t.fromJournal} ended before, ${t.watched} followed again, ${t.adopted} adopted, ${t.restarted} restarted, ${t.uncertain} uncertain`;
}

/** The `journal` field of the `--json` summary. */
export function journalJson(journal: CliJournal, snapshot: BatchSnapshot): Record<string, unknown> {
  return { journal: { path: journal.path, ...tallyJournal(snapshot.items) } };
}

/** What to do about uncertain jobs: one paragraph on stderr. */
export function uncertainAdvice(term: Terminal, journal: CliJournal, count: number): void {
  term.note(
    `${plural(count, 'job')} uncertain: an earlier run sent ${count === 1 ? 'its' : 'their'} start but lost the answer, and the server's executions could not rule out that it arrived, so nothing was started again.
  Run the same command again to check once more (nothing is started twice); look at a candidate with: smart-flows watch <executionId>.
  If none is the job's, run ${count === 1 ? 'it' : 'them'} in a new batch without ${journal.path}.`,
  );
}
