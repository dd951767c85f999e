// Copies the dashboard's specs of the angular entry (src/entry, their helpers in src/testing, the
// zoneless test setup), its Jest environment and its mapping of platform-server's domino here,
// then installs this project's packages and a fresh packed copy of the library built at the root
// (`npm run build` there first), as the dashboard's own setup does. The copies are gitignored:
// the specs live in the dashboard only.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const dashboard = fileURLToPath(new URL('../..', import.meta.url));
const built = fileURLToPath(new URL('../../../../dist/testing.js', import.meta.url));
if (!existsSync(built)) {
  console.error('The library is not built: run `npm run build` in the repository root first.');
  process.exit(1);
}
rmSync(`${here}/src`, { recursive: true, force: true });
for (const path of ['src/entry', 'src/testing', 'src/test-setup.ts', 'jest.environment.cjs', 'jest.domino.cjs']) {
  cpSync(`${dashboard}/${path}`, `${here}/${path}`, { recursive: true });
}
const npm = (...args) => execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });

if (!existsSync(`${here}/node_modules`)) {
  npm('ci');
} else {
  rmSync(`${here}/node_modules/smart-flows-rx`, { recursive: true, force: true });
  npm('install');
}
