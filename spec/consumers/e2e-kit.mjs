// What the Angular apps' end-to-end scripts (angular20-app/e2e.mjs, angular22-ssr-app/e2e.mjs)
// share: one line per check, a watchdog, the tarball check, `ng build`, headless Chromium
// (Debian's `chromium`, driven by the app's own playwright-core, passed in), and the closing count.
// It imports no package: run.mjs copies it beside the apps' scratch copies, where only each app
// has a node_modules. APP_E2E_JSON=file also writes the counts in Jest's report fields (for
// scripts/node-matrix.mjs --json).
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bound of one step (a page load, a wait for a status). */
export const STEP_MS = 30_000;
const OVERALL_MS = 300_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Thrown by a failed check: the run stops there (its line is already printed). */
class Stop extends Error {}

/**
 * Starts the end-to-end run of the app in `here` (its folder), named `name` in the closing line.
 * Every `check` prints a line; the first that fails stops the run. `finish(0)` at the end, or
 * `fail(error)` from the catch: both close what `onClose` was given (last first) and exit.
 */
export function startE2e(name, here) {
  const started = Date.now();
  const require = createRequire(join(here, 'package.json'));
  const results = [];
  const closers = [];
  let page;

  async function finish(code) {
    clearTimeout(watchdog);
    for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => undefined);
    const failed = results.filter((ok) => !ok).length + (code && results.every(Boolean) ? 1 : 0);
    const passed = results.filter(Boolean).length;
    console.log(`${name}: ${passed} passed, ${failed} failed (${seconds(started)})`);
    if (process.env.APP_E2E_JSON) await writeFile(process.env.APP_E2E_JSON, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
    process.exit(failed ? 1 : 0);
  }
  const watchdog = setTimeout(() => {
    console.log(`✗ the run took longer than ${OVERALL_MS / 1000} s; stopping`);
    void finish(1);
  }, OVERALL_MS);

  async function check(label, body) {
    try {
      const detail = await body();
      results.push(true);
      console.log(`✓ ${label}${detail ? ` (${detail})` : ''}`);
    } catch (error) {
      results.push(false);
      console.log(`✗ ${label}\n    ${String(error?.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
      throw new Stop();
    }
  }

  return {
    check,
    finish,
    /** Closes `close` when the run ends (servers, the browser). */
    onClose: (close) => closers.push(close),
    /** The version of a package the app installed. */
    version: (pkg) => require(`${pkg}/package.json`).version,
    /** Checks smart-flows-rx came from a packed tarball; names the versions of `packages`. */
    checkTarball: (packages) =>
      check('smart-flows-rx is installed from a packed tarball, not linked', async () => {
        assert(!(await lstat(join(here, 'node_modules/smart-flows-rx'))).isSymbolicLink(), 'node_modules/smart-flows-rx is a symbolic link');
        const lock = JSON.parse(await readFile(join(here, 'node_modules/.package-lock.json'), 'utf8'));
        const resolved = lock.packages['node_modules/smart-flows-rx']?.resolved ?? '';
        assert(resolved.endsWith('.tgz'), `installed from ${resolved || 'nowhere known'}`);
        return `${resolved.split('/').pop()}; ${packages.map((p) => `${p} ${require(`${p}/package.json`).version}`).join(', ')}, Node ${process.versions.node}`;
      }),
    /** `ng build` in the app (its default configuration: production); resolves to the exit code. */
    ngBuild: async () => {
      await rm(join(here, 'dist'), { recursive: true, force: true });
      return new Promise((done) => {
        const child = spawn(process.execPath, [join(here, 'node_modules/@angular/cli/bin/ng.js'), 'build'], {
          cwd: here,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
        });
        child.on('close', (code) => done(code ?? 1));
      });
    },
    /**
     * Headless Chromium in a fresh profile, through the app's playwright-core (`chromium`), closed
     * at the end. `pageErrors` collects page errors and the console messages `isProblem` picks.
     */
    openChromium: async (chromium, isProblem = (message) => message.type() === 'error') => {
      const profileDir = await mkdtemp(join(tmpdir(), `sf-${name}-chromium-`));
      closers.push(() => rm(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
      const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      });
      closers.push(() => context.close());
      context.setDefaultTimeout(STEP_MS);
      page = context.pages()[0] ?? (await context.newPage());
      const pageErrors = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => isProblem(message) && pageErrors.push(message.text()));
      return { page, pageErrors };
    },
    /** From the run's catch: an error that is not a failed check counts as one; a screenshot of the page, then the end. */
    fail: async (error) => {
      if (!(error instanceof Stop)) {
        results.push(false);
        console.log(`✗ ${error?.stack ?? error}`);
      }
      const shot = join(here, 'failure.png');
      await page?.screenshot({ path: shot, fullPage: true }).then(() => console.log(`screenshot: ${shot}`), () => undefined);
      await finish(1);
    },
  };
}
