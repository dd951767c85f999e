// Installs the dashboard's packages and a fresh copy of the library built at the root
// (`npm run build` there first). The library is installed as a packed copy (see .npmrc), as a
// user gets it from the registry, so it is refreshed on every run.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import './check-node.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../../../dist/testing.js', import.meta.url));
if (!existsSync(built)) {
  console.error('The library is not built: run `npm run build` in the repository root first.');
  process.exit(1);
}
const npm = (...args) => execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });

if (!existsSync(`${here}/node_modules`)) {
  npm('ci');
} else {
  rmSync(`${here}/node_modules/smart-flows-rx`, { recursive: true, force: true });
  npm('install');
}
