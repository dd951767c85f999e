import { afterAll, beforeAll, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorServer } from 'smart-flows-rx/testing';
import { buildCli, runCli, startCli, type BuiltCli, type CliOptions, type CliResult, type CliRun } from './cli';
import { serverEnv, serverEvents, startServer, type ServerEvents } from './server';

/** What a CLI spec file shares: one build, one simulator server, one temp folder. */
export interface CliFixture {
  /** The CLI built from the sources (once for all the spec files). */
  readonly cli: BuiltCli;
  /** The simulator's HTTP server (with the built-in flows and `slowFlow`). */
  readonly server: SimulatorServer;
  /** The server's requests as events (wait for a state of the simulator, refuse a route). */
  readonly events: ServerEvents;
  /** A temp folder, removed after the file's tests. */
  readonly dir: string;
  /** The environment that points the CLI at {@link server}. */
  readonly env: Record<string, string>;
  /** Writes `text` to `dir/name`; gives the path. */
  file(name: string, text: string): string;
  /** Runs the CLI to its end, against the server unless `options.env` says otherwise. */
  run(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** Starts the CLI, against the server unless `options.env` says otherwise. */
  start(args: readonly string[], options?: CliOptions): CliRun;
}

/**
 * The outer bound of each test in a CLI spec file, and of its setup (the build, the server).
 * The waits inside a test are on events — a line the CLI prints, a request the server sees, the
 * process's exit — so this only ends a test that hangs. A CLI test starts one to five processes;
 * each start is about 0.25 s of CPU on a quiet machine, but several seconds on a loaded 2-core one
 * (the suite beside another suite, other jobs): tests measured 5–12 s there (2026-12-07, load
 * average 18), against Jest's 20 s default, which one of them once exceeded.
 */
export const CLI_TEST_TIMEOUT_MS = 120_000;

/**
 * Registers `beforeAll`/`afterAll` that build the CLI (or find it built), start one simulator
 * server and make one temp folder for the spec file, and close and remove them afterwards.
 * Call it at the top of the file; read the fields inside tests (they exist once `beforeAll` ran).
 * It also sets the file's test timeout to {@link CLI_TEST_TIMEOUT_MS} (a test may still set its own).
 * @param options.server - false for a file that needs no server (the simulator command's own)
 */
export function useCliFixture(options: { server?: boolean } = {}): CliFixture {
  jest.setTimeout(CLI_TEST_TIMEOUT_MS);
  let cli: BuiltCli | undefined;
  let server: SimulatorServer | undefined;
  let events: ServerEvents | undefined;
  let dir: string | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useCliFixture: no ${what} (outside a test, or the fixture has none)`);
    return value;
  };
  beforeAll(async () => {
    cli = buildCli();
    dir = mkdtempSync(join(tmpdir(), 'smart-flows-cli-'));
    if (options.server === false) return;
    server = await startServer();
    events = serverEvents(server);
  }, CLI_TEST_TIMEOUT_MS);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.close();
  }, CLI_TEST_TIMEOUT_MS);
  const fixture: CliFixture = {
    get cli() {
      return need(cli, 'build');
    },
    get server() {
      return need(server, 'server');
    },
    get events() {
      return need(events, 'server');
    },
    get dir() {
      return need(dir, 'temp folder');
    },
    get env() {
      return server ? serverEnv(server) : {};
    },
    file(name, text) {
      const path = join(fixture.dir, name);
      writeFileSync(path, text);
      return path;
    },
    run: (args, runOptions = {}) => runCli(fixture.cli, args, { ...runOptions, env: runOptions.env ?? fixture.env }),
    start: (args, runOptions = {}) => startCli(fixture.cli, args, { ...runOptions, env: runOptions.env ?? fixture.env }),
  };
  return fixture;
}
