import { DOCUMENTED_SPELLINGS } from '../helpers/progress';
import { describe, expect, it } from '@jest/globals';
import {
  isFailureStatus,
  isIdleStatus,
  isSuccessStatus,
  isTerminalStatus,
  needsUserAction,
  normalizeStatus,
} from '../../lib/api/status';
import type { FlowStatus } from '../../lib/api/types';

describe('normalizeStatus', () => {
  // Every spelling API-FACTS lists, and the case/space/underscore variants it says to accept.
  it.each<[string, FlowStatus]>([
    ...DOCUMENTED_SPELLINGS,
    // and the variants it says to accept: case, spaces, underscores, hyphens
    ['user-input', 'UserInput'],
    ['  userinput  ', 'UserInput'],
    ['Select flow', 'SelectFlow'],
    ['SELECT_FLOW', 'SelectFlow'],
    ['SUCCESS', 'Success'],
    ['interrupted', 'Interrupted'],
  ])('reads %j as %s', (raw, status) => {
    expect(normalizeStatus(raw)).toBe(status);
  });

  it.each<[string, unknown]>([
    ['a future status', 'Archived'],
    ['an empty string', ''],
    ['a near miss', 'Succeeded'],
    ['a number', 3],
    ['null', null],
  ])('reads %s as Unknown', (_, raw) => {
    expect(normalizeStatus(raw)).toBe('Unknown');
  });
});

describe('status classification', () => {
  const all: FlowStatus[] = ['Queued', 'Running', 'Waiting', 'UserInput', 'SelectFlow', 'Success', 'Warning', 'Error', 'Canceled', 'Interrupted', 'Unknown'];
  const table = all.map((s) => [s, isTerminalStatus(s), isSuccessStatus(s), isFailureStatus(s), needsUserAction(s), isIdleStatus(s)]);

  it('classifies every status (terminal, success, failure, needs a person, idle)', () => {
    expect(table).toEqual([
      ['Queued', false, false, false, false, false],
      ['Running', false, false, false, false, false],
      ['Waiting', false, false, false, false, true],
      ['UserInput', false, false, false, true, true],
      ['SelectFlow', false, false, false, true, true],
      ['Success', true, true, false, false, false],
      ['Warning', true, true, false, false, false],
      ['Error', true, false, true, false, false],
      ['Canceled', true, false, true, false, false],
      ['Interrupted', true, false, true, false, false],
      // Unknown is treated as still running.
      ['Unknown', false, false, false, false, false],
    ]);
  });
});
