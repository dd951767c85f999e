import type { FlowStatus } from './types';

const KNOWN: readonly FlowStatus[] = [
  'Queued', 'Running', 'Waiting', 'UserInput', 'SelectFlow',
  'Success', 'Warning', 'Error', 'Canceled', 'Interrupted',
];
const BY_KEY = new Map<string, FlowStatus>(KNOWN.map((s) => [s.toLowerCase(), s]));
/** The spellings a server sends on nearly every answer: found without a regex and a copy. */
const EXACT = new Map<string, FlowStatus>(KNOWN.map((s) => [s, s]));
// British spelling seen in some UIs; same meaning.
BY_KEY.set('cancelled', 'Canceled');

/**
 * Normalizes a server status: case, spaces, underscores and hyphens are ignored
 * (`User input`, `USER_INPUT` and `UserInput` are all `UserInput`); anything else is `Unknown`.
 * @example normalizeStatus('User input') // 'UserInput'
 */
export function normalizeStatus(raw: unknown): FlowStatus {
  if (typeof raw !== 'string') return 'Unknown';
  return EXACT.get(raw) ?? BY_KEY.get(raw.replace(/[\s_-]+/g, '').toLowerCase()) ?? 'Unknown';
}

/** The execution has ended and will not change again. */
export const isTerminalStatus = (s: FlowStatus): boolean =>
  s === 'Success' || s === 'Warning' || s === 'Error' || s === 'Canceled' || s === 'Interrupted';

/** The execution ended with output (Warning included). */
export const isSuccessStatus = (s: FlowStatus): boolean => s === 'Success' || s === 'Warning';

/** The execution ended without output. */
export const isFailureStatus = (s: FlowStatus): boolean =>
  s === 'Error' || s === 'Canceled' || s === 'Interrupted';

/** A person must act (fill a form, choose a flow) before the execution goes on. */
export const needsUserAction = (s: FlowStatus): boolean => s === 'UserInput' || s === 'SelectFlow';

/** The execution waits for something outside it; polling slows to the idle cadence. */
export const isIdleStatus = (s: FlowStatus): boolean => s === 'Waiting' || needsUserAction(s);
