import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Processor } from 'bullmq';
import type { Processor as Processor5 } from 'bullmq5';
import * as bullmq from '../../lib/bullmq/index';
import type { FlowJobData, FlowJobResult } from '../../lib/bullmq/index';
import { SmartFlowsClient } from '../../lib/client';

const LIB = path.resolve(process.cwd(), 'lib');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : /\.ts$/.test(name) ? [full] : [];
  });
const rel = (file: string) => path.relative(LIB, file).split(path.sep).join('/');
const SPEC = /(?:from\s+|import\(\s*)['"]([^'"]+)['"]/g;
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(SPEC)].map((m) => m[1]!);

describe('the smart-flows-rx/bullmq entry', () => {
  it('exports exactly this public surface (a change here is a deliberate API change)', () => {
    expect(Object.keys(bullmq).sort()).toEqual(['PROCESSOR_DEFAULTS', 'SmartFlowsUncertainError', 'flowProcessor', 'isSmartFlowsUncertainError']);
    expect(bullmq.PROCESSOR_DEFAULTS).toEqual({ progressIntervalMs: 1000, skipUserInput: false, onUserInput: 'error', timeoutMs: 3_600_000, cancelOnAbort: false, tracking: 'polling', rateLimitMs: 5000 });
  });

  it("gives what a BullMQ 5 and a BullMQ 6 Worker take as their processor (typed against each one's own Processor and Job)", () => {
    const client = new SmartFlowsClient({ baseUrl: 'https://flows.example.test', apiKey: 'k' });
    const typed: Processor<FlowJobData, FlowJobResult> = bullmq.flowProcessor(client);
    const untyped: Processor = bullmq.flowProcessor(client);
    const typed5: Processor5<FlowJobData, FlowJobResult> = bullmq.flowProcessor(client, { tracking: 'listing' });
    const untyped5: Processor5 = bullmq.flowProcessor(client);
    expect([typeof typed, typeof untyped, typeof typed5, typeof untyped5]).toEqual(['function', 'function', 'function', 'function']);
  });

  it('is the only part of lib/ that names bullmq: the core and the other entries never load it', () => {
    const outside = filesUnder(LIB).filter((f) => !rel(f).startsWith('bullmq/'));
    expect(outside.filter((f) => importsOf(f).some((s) => s === 'bullmq' || s.startsWith('bullmq/') || /(^|\/)bullmq(\/|$)/.test(s))).map(rel)).toEqual([]);
  });

  it("imports none of the core's files: the core (reconciliation and the failure rule too) only through the package name", () => {
    const bullmqFiles = filesUnder(path.join(LIB, 'bullmq'));
    expect(bullmqFiles.length).toBeGreaterThan(3);
    const reaching = bullmqFiles.flatMap((f) => importsOf(f).filter((s) => s.startsWith('.') && !path.resolve(path.dirname(f), s).startsWith(path.join(LIB, 'bullmq'))).map((s) => `${rel(f)} → ${s}`));
    expect(reaching).toEqual([]);
  });
});
