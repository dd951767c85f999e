// Jest's test order, with the slow files first even when Jest has no timings of its own.
//
// Jest starts the files it knows to be slow first, so that no worker is left running one long
// file alone at the end; it learns that from its cache of the last run's times. A fresh clone
// (a newcomer, CI) has no such cache, and Jest then orders by file size: the crash test, one
// short file that runs for about 24 s, started last, and the run took that much longer alone
// (86 s in a fresh clone against 72-82 s with a warm cache, 2026-12-02). Files Jest has no time
// for take the one below, measured on 2026-12-02 (seconds, three workers on 2 cores), else 0;
// a file renamed since simply falls back to Jest's own order.
import * as jestSequencer from '@jest/test-sequencer';

const TestSequencer = jestSequencer.default?.default ?? jestSequencer.default ?? jestSequencer;

/** Seconds each slow file took. */
const MEASURED = {
  'spec/batch/crash.spec.ts': 24,
  'spec/cli/commands/batchJournal.spec.ts': 16,
  'spec/cli/usage.spec.ts': 13,
  'spec/wire/tracker.spec.ts': 11,
  'spec/wire/serverHold.spec.ts': 10,
  'spec/reliability/hostileAnswers.spec.ts': 9,
  'spec/cli/commands/run.spec.ts': 8,
  'spec/cli/commands/batch.spec.ts': 8,
  'spec/reliability/unsubscribe.spec.ts': 7,
  'spec/execution/cancelWhenLeftExit.spec.ts': 6,
  'spec/cli/tty.spec.ts': 6,
};

export default class SlowFirstSequencer extends TestSequencer {
  sort(tests) {
    const sizes = new Map();
    const size = (test) => sizes.get(test.path) ?? sizes.set(test.path, test.context.hasteFS.getSize(test.path) ?? 0).get(test.path);
    const seconds = new Map();
    for (const test of tests) {
      // What Jest measured last time (milliseconds), else the table, else nothing known.
      const cached = this.time(test);
      const relative = test.path.slice(test.context.config.rootDir.length + 1).split('\\').join('/');
      seconds.set(test.path, cached !== undefined ? cached / 1000 : (MEASURED[relative] ?? 0));
      test.duration = cached;
    }
    // As Jest does: the files that failed last time first; then the longest first; then the largest.
    return tests.sort((a, b) =>
      Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || seconds.get(b.path) - seconds.get(a.path) || size(b) - size(a),
    );
  }
}
