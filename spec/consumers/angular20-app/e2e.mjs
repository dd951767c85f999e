// The app as a user builds and opens it: a production `ng build` (AOT), served beside the
// simulator (server.mjs), opened in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Checks that smart-flows-rx came from a tarball, that zone.js runs Angular, that
// the page follows the run live to Success at 100 % with its document, and what the simulator
// received. One line per check, a closing count; exit 1 if any check failed (../e2e-kit.mjs).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { assert, seconds, startE2e } from '../e2e-kit.mjs';
import { startAppServer } from './server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const e2e = startE2e('angular20-app', here);
const { check } = e2e;

try {
  await e2e.checkTarball(['@angular/core', 'zone.js']);

  await check('ng build (production, AOT) succeeds', async () => {
    const since = Date.now();
    const code = await e2e.ngBuild();
    assert(code === 0, `ng build exited with ${code}`);
    const html = await readFile(join(here, 'dist/browser/index.html'), 'utf8');
    const initial = [...html.matchAll(/<(?:script src|link rel="modulepreload" href)="([^"]+\.js)"/g)].map((m) => m[1]);
    const files = await readdir(join(here, 'dist/browser'));
    assert(initial.some((f) => f.startsWith('polyfills-')), `index.html loads no polyfills bundle (zone.js): ${initial.join(', ')}`);
    let gz = 0;
    for (const file of initial) gz += gzipSync(await readFile(join(here, 'dist/browser', file)), { level: 9 }).length;
    return `${seconds(since)}; initial scripts ${initial.length} files, ${(gz / 1024).toFixed(1)} KB gzipped (-9), ${files.filter((f) => f.endsWith('.js')).length} scripts in all`;
  });

  const server = await startAppServer({ stageMs: 800 });
  e2e.onClose(() => server.close());
  const { page, pageErrors } = await e2e.openChromium(chromium);
  // Every status and percentage the page shows, as it shows them.
  await page.addInitScript(() => {
    const shown = (window.__shown = []);
    new MutationObserver(() => {
      const letter = document.querySelector('[data-testid="letter"]');
      const now = `${letter?.getAttribute('data-status') ?? ''} ${letter?.querySelector('[data-testid="percentage"]')?.textContent ?? ''}`;
      if (letter && shown.at(-1) !== now) shown.push(now);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const letter = page.locator('[data-testid="letter"]');

  await check('the app boots with zone.js running Angular', async () => {
    const since = Date.now();
    await page.goto(`${server.url}/`);
    await letter.waitFor();
    const zone = await page.evaluate(() => (typeof window.Zone === 'function' ? `${window.Zone.root.name}, ${Object.keys(window).filter((k) => k.startsWith('__zone_symbol__')).length} patches` : 'none'));
    assert(zone !== 'none', 'window.Zone is not defined: zone.js did not load');
    assert((await letter.getAttribute('data-angular-zone')) === 'true', 'the component was not created inside the Angular zone (NgZone.isInAngularZone() is false)');
    return `Zone ${zone}, component created in the Angular zone, ${seconds(since)}`;
  });

  await check('the page follows the run live to Success at 100 % and shows its document', async () => {
    const since = Date.now();
    // Success, or the error the component shows (a failed run ends there).
    await page.locator('[data-testid="letter"][data-status="Success"], [data-testid="letter"] [role="alert"]').first().waitFor();
    const alert = letter.locator('[role="alert"]');
    if ((await alert.count()) > 0) throw new Error(`the page shows an error: ${await alert.first().textContent()}`);
    const percentage = (await letter.locator('[data-testid="percentage"]').textContent())?.trim();
    assert(percentage === '100 %', `the percentage shows "${percentage}"`);
    await letter.locator('[data-testid="document"]').first().waitFor();
    const documents = await letter.locator('[data-testid="document"]').allTextContents();
    assert(documents.includes('Letter.pdf'), `documents shown: ${documents.join(', ') || 'none'}`);
    const shown = await page.evaluate(() => window.__shown);
    const before = shown.filter((s) => !s.startsWith('Success'));
    assert(before.some((s) => /^Running \d+ %$/.test(s) && !s.endsWith('100 %')), `the page never showed the run in progress: ${shown.join(' → ')}`);
    return `${shown.map((s) => s.trim()).filter(Boolean).join(' → ')}; ${documents.join(', ')}; ${seconds(since)}`;
  });

  await check('the simulator received the run: one start, its polls, through the page\'s origin', async () => {
    const { executionsStarted, requests, byRoute } = server.simulator.stats;
    assert(executionsStarted === 1 && byRoute.start === 1, `${executionsStarted} executions started, ${byRoute.start} start requests; want 1`);
    assert(byRoute.progress >= 1 && byRoute.execution >= 1, `${byRoute.progress} progress polls, ${byRoute.execution} output requests`);
    assert(server.apiRequests.length === requests, `the proxy forwarded ${server.apiRequests.length} API requests, the simulator received ${requests}`);
    return `${requests} requests: ${Object.entries(byRoute).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}`;
  });

  await check('the page logged no errors', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
  await e2e.finish(0);
} catch (error) {
  await e2e.fail(error);
}
