import type { FlowProgress, FlowStatus } from '../../lib/api/types';

export const EXEC_ID = '6de9206a-de42-4182-8f86-a9a8d29fbd56';
export const FLOW_ID = '85f8fe94-6f61-4216-af6c-4889e2547b72';

/** A normalized progress object for tests. */
export function progress(status: FlowStatus, percentage = 0, message = '', id = EXEC_ID): FlowProgress {
  return { id, percentage, message, status, rawStatus: status };
}

/** Every status spelling API-FACTS lists (seed, SDK, API guide), with what it normalizes to. */
export const DOCUMENTED_SPELLINGS: [string, FlowStatus][] = [
  ['Queued', 'Queued'],
  ['Running', 'Running'],
  ['Waiting', 'Waiting'],
  ['User input', 'UserInput'],
  ['UserInput', 'UserInput'],
  ['User Input', 'UserInput'],
  ['USER_INPUT', 'UserInput'],
  ['SelectFlow', 'SelectFlow'],
  ['Success', 'Success'],
  ['Warning', 'Warning'],
  ['Error', 'Error'],
  ['error', 'Error'],
  ['Canceled', 'Canceled'],
  ['Cancelled', 'Canceled'],
  ['Interrupted', 'Interrupted'],
];
