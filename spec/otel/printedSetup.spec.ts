import { describe, expect, it } from '@jest/globals';
import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processBundleOptions } from '../helpers/processBundle';

// docs/observability.md prints the OpenTelemetry setup above `<!-- consumer: otel/tracing.mjs -->`
// (spec/consumers/run.mjs checks the block is that file, byte for byte). Here the file runs as
// printed, loaded before a small app that runs a flow on the simulator: the run's span reaches
// the console exporter.
const ROOT = process.cwd();
const DRIVER = `
import ${JSON.stringify(resolve(ROOT, 'spec/consumers/otel/tracing.mjs'))};
import { trace } from '@opentelemetry/api';
import { lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { builtInFlows, startSimulatorServer } from 'smart-flows-rx/testing';

const server = await startSimulatorServer({ port: 0 });
const client = new SmartFlowsClient({ baseUrl: server.url, apiKey: server.apiKey });
await lastValueFrom(client.run(builtInFlows.short.id, '<Letter/>'));
await server.close();
const provider = trace.getTracerProvider();
await (provider.getDelegate?.() ?? provider).forceFlush();
`;

describe('the OpenTelemetry setup docs/observability.md prints', () => {
  it('is the file this spec runs, and gives a run its span', () => {
    const doc = readFileSync(resolve(ROOT, 'docs/observability.md'), 'utf8');
    const printed = /<!-- consumer: otel\/tracing\.mjs -->\n```js\n([\s\S]*?)```\n/.exec(doc)?.[1];
    expect(printed).toBe(readFileSync(resolve(ROOT, 'spec/consumers/otel/tracing.mjs'), 'utf8'));
    // Beside node_modules, so the bundle finds @opentelemetry/* there (kept out of the bundle: one copy of the API).
    mkdirSync(resolve(ROOT, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(resolve(ROOT, 'node_modules/.cache/otel-setup-'));
    try {
      writeFileSync(join(dir, 'app.mjs'), DRIVER);
      const options = processBundleOptions(join(dir, 'app.mjs'), join(dir, 'bundle.mjs'));
      buildSync({
        ...options,
        // Readable lines in an error's excerpt.
        minifyWhitespace: false,
        // package.json says `sideEffects: false` (true of the library): the printed setup is all side effects.
        ignoreAnnotations: true,
        alias: {
          ...options.alias,
          'smart-flows-rx/otel': resolve(ROOT, 'lib/otel/index.ts'),
          'smart-flows-rx/testing': resolve(ROOT, 'lib/testing/index.ts'),
          'smart-flows-rx': resolve(ROOT, 'lib/index.ts'),
        },
        // msw stays out: the simulator's HTTP server does not need it.
        external: ['msw', 'msw/*', '@opentelemetry/*'],
      });
      const out = execFileSync(process.execPath, [join(dir, 'bundle.mjs')], { encoding: 'utf8', timeout: 15_000 });
      expect(out).toMatch(/name: 'smart-flows run'/);
      expect(out).toMatch(/'smart_flows\.execution\.status': 'Success'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
