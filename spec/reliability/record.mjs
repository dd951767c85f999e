// `npm run reliability:record`: runs the reliability specs of `npm test` with RELIABILITY_RECORD=1,
// so that they write their figures to the `test` section of spec/reliability/results.json (a plain
// `npm test` measures and asserts the same, but leaves the tracked file as it is). Then
// `npm run soak` fills the `soak` section, and `npm run reliability:report` renders the tables.
// Extra arguments go to Jest (e.g. a single file).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const jest = path.resolve(process.cwd(), 'node_modules/jest/bin/jest.js');
const args = process.argv.slice(2);
const run = spawnSync(process.execPath, [jest, ...(args.length > 0 ? args : ['spec/reliability'])], {
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_RECORD: '1' },
});
process.exit(run.status ?? 1);
