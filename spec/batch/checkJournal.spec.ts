import { describe, expect, it } from '@jest/globals';
import { checkJournal } from '../../lib/batch/checkJournal';
import type { JournalRecord } from '../../lib/batch/journalTypes';

const AT = '2026-12-01T08:00:00.000Z';
const plan = { type: 'planned', v: 1, at: AT, jobs: [{ key: 'J1', flowId: 'f', inputHash: 'h' }, { key: 'J2', flowId: 'f', inputHash: 'h' }] };
const starting = (key: string) => ({ type: 'starting', at: AT, key });
const started = (key: string, executionId: string) => ({ type: 'started', at: AT, key, executionId });

/** The message checkJournal gives for these records read from file j.jsonl (undefined: valid). */
const problem = (...records: unknown[]): string | undefined => {
  try {
    checkJournal({ records: records as JournalRecord[], lines: records.map((_, i) => i + 1) }, 'j.jsonl');
    return undefined;
  } catch (error) {
    return (error as Error).message.replace('j.jsonl is not a valid batch journal: ', '');
  }
};

describe('checkJournal: what is wrong, in words, with the line', () => {
  it.each([
    [[plan, starting('J1'), { type: 'ended', at: AT, key: 'J1', outcome: { state: 'succeeded', status: { evil: true }, documents: [] } }], 'line 3: an "ended" record whose outcome.status must be "Queued" or "Running" or "Waiting" or "UserInput" or "SelectFlow" or "Success" or "Warning" or "Error" or "Canceled" or "Interrupted" or "Unknown" (it is an object)'],
    [[plan, starting('J1'), { type: 'started', at: AT, key: 'J1' }], 'line 3: a "started" record whose executionId is missing'],
    [[{ ...plan, jobs: undefined }], 'line 1: a "planned" record whose jobs is missing'],
    [[{ ...plan, v: 2 }], 'line 1: a "planned" record whose v must be 1 (it is 2)'],
    [[plan, { type: 'starting', at: 'yesterday', key: 'J1' }], 'line 2: a "starting" record whose at is not a time (ISO 8601 expected)'],
    [[plan, starting('J1'), started('J1', 'e1'), starting('J2'), started('J2', 'E1')], 'line 5: executionId "E1" of job "J2" is already job "J1"\'s'],
    [[plan, starting('J1'), started('J1', 'e1'), started('J1', 'e1')], 'line 4: a "started" record for job "J1" after its "started"'],
    [[plan, started('J1', 'e1')], 'line 2: a "started" record for job "J1" before its "starting"'],
    [[plan, starting('J9')], 'line 2: job "J9" is not in the plan'],
    [[plan, starting('J1'), { type: 'written', at: AT, key: 'J1', documentId: 'd', file: 'f', bytes: 1 }], 'line 3: a "written" record for job "J1" after its "starting"'],
    [[starting('J1'), plan], 'line 1: a "starting" record before the "planned" record (the plan comes first)'],
    [[plan, plan], 'line 2: a second "planned" record, or one after other records (the plan comes first, once)'],
    [[plan, { type: 'bogus' }], 'line 2: unknown record type "bogus"'],
    [[plan, 42], 'line 2: not a record (a JSON object expected)'],
    // `at`: ISO 8601 as the journal writes it, not whatever Date.parse takes ("x 1" is 2001 to it).
    [[plan, { type: 'starting', at: 'x 1', key: 'J1' }], 'line 2: a "starting" record whose at is not a time (ISO 8601 expected)'],
    [[plan, { type: 'starting', at: '0', key: 'J1' }], 'line 2: a "starting" record whose at is not a time (ISO 8601 expected)'],
    [[plan, { type: 'starting', at: 'Tue, 01 Dec 2026 08:00:00 GMT', key: 'J1' }], 'line 2: a "starting" record whose at is not a time (ISO 8601 expected)'],
    [[plan, { type: 'starting', at: '2026-13-01T08:00:00Z', key: 'J1' }], 'line 2: a "starting" record whose at is not a time (ISO 8601 expected)'],
    [[plan, { type: 'starting', at: '2026-12-01T08:00:00.000+01:00', key: 'J1' }, { type: 'starting', at: '2026-12-01T08:00:00Z', key: 'J2' }], undefined],
    // An ended record's state and status must agree (a hand edit that does not is refused).
    [[plan, starting('J1'), { type: 'ended', at: AT, key: 'J1', outcome: { state: 'succeeded', status: 'Error', documents: [] } }], 'line 3: an "ended" record whose outcome.state "succeeded" does not fit outcome.status "Error" (a job succeeds with "Success" or "Warning")'],
    [[plan, starting('J1'), { type: 'ended', at: AT, key: 'J1', outcome: { state: 'succeeded', status: 'Success', documents: [], error: { name: 'E', message: 'm' } } }], 'line 3: an "ended" record whose outcome.state is "succeeded" but it has an outcome.error'],
    [[plan, starting('J1'), { type: 'ended', at: AT, key: 'J1', outcome: { state: 'failed', status: 'Success', documents: [] } }], 'line 3: an "ended" record whose outcome.state is "failed" but it has no outcome.error'],
  ])('%#: %s', (records, message) => {
    expect(problem(...records)).toBe(message);
  });

  it('escapes controls and bidi marks of the file in its messages (a terminal shows them)', () => {
    expect(problem(plan, starting('\u001b]0;pwned\u0007\u202eJ1'))).toBe('line 2: job "\\u001b]0;pwned\\u0007\\u202eJ1" is not in the plan');
  });

  it('accepts every life a job can have, interleaved', () => {
    const ended = { type: 'ended', at: AT, key: 'J1', executionId: 'e1', outcome: { state: 'succeeded', status: 'Success', documents: [{ id: 'd' }] } };
    const written = { type: 'written', at: AT, key: 'J1', documentId: 'd', file: 'out/J1/d.pdf', bytes: 3 };
    const uncertain = { type: 'uncertain', at: AT, key: 'J2', reason: 'r', candidateIds: [] };
    expect(problem(plan, starting('J1'), starting('J2'), started('J1', 'e1'), uncertain, ended, starting('J2'), written, { ...started('J2', 'e2'), adopted: true })).toBeUndefined();
    // A document saved as soon as the output came, before `ended` was durable.
    expect(problem(plan, starting('J1'), started('J1', 'e1'), written, ended, written)).toBeUndefined();
  });

  it('names records by position when the store has no lines', () => {
    expect(() => checkJournal({ records: [plan, starting('J9')] as JournalRecord[] })).toThrow('The batch journal is not valid: record 2: job "J9" is not in the plan');
  });
});
