import type { SimulatorStatus, StatusSpelling, StatusSpellingName } from '../types.js';

/** The three spellings seen in public sources; they differ only in `UserInput`. */
const SPELLINGS: Record<StatusSpellingName, Partial<Record<SimulatorStatus, string>>> = {
  sdk: { UserInput: 'UserInput' },
  seed: { UserInput: 'User input' },
  guide: { UserInput: 'User Input' },
};

/** Turns a spelling option into a function from canonical status to the text sent. */
export function createStatusSpeller(spelling: StatusSpelling): (status: SimulatorStatus) => string {
  const map = typeof spelling === 'string' ? SPELLINGS[spelling] : spelling;
  return (status) => map[status] ?? status;
}
