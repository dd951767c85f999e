import { describe, expect, it } from '@jest/globals';
import { fc, test } from '@fast-check/jest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { http, HttpResponse } from 'msw';
import { lastValueFrom, of, throwError } from 'rxjs';
import type { ExecutionPage } from '../../lib/api/listings';
import type { FlowExecution } from '../../lib/api/types';
import { inputHash } from '../../lib/batch/inputHash';
import { memoryJournal } from '../../lib/batch/memoryJournal';
import { reconcile, RECONCILE_SKEW_MS } from '../../lib/batch/reconcile';
import { latestInstantMs } from '../../lib/batch/serverTime';
import { API, FLOW_ID, progressBody, START_URL, testClient, useMswServer } from '../helpers/msw';

const { server, requests } = useMswServer();

const XML = '<Invoice><No>1</No></Invoice>';
const ID = 'eeeeeeee-0000-4000-8000-000000000001';
const HOUR = 3_600_000;
/** An instant as a server writes it with no zone: its wall clock at `offsetMs` from UTC (a Java LocalDateTime). */
const wallClock = (ms: number, offsetMs: number) => new Date(ms + offsetMs).toISOString().slice(0, 19);

/** A listing of one execution, `createdAt` as given, whose input is `inputData` (or cannot be read: undefined). */
const listing = (createdAt: string, inputData: unknown) => ({
  listExecutions: () => of<ExecutionPage>({ items: [{ id: ID, status: 'Running', rawStatus: 'Running', createdAt }], page: 0, size: 100 }),
  getExecution: (id: string) => (inputData === undefined ? throwError(() => new Error('not readable')) : of<FlowExecution>({ id, status: 'Running', rawStatus: 'Running', createdAt, state: { inputData } })),
});

describe('latestInstantMs: the latest instant a server timestamp can stand for, never in the local zone', () => {
  const T = Date.UTC(2026, 11, 7, 8, 51, 0);
  it.each([
    ['2026-12-07T08:51:00Z', T],
    ['2026-12-07T08:51:00.250z', T + 250],
    ['2026-12-07T17:51:00+09:00', T],
    ['2026-12-07T17:51:00+0900', T],
    ['2026-12-07T03:51:00-05', T],
    ['Mon, 07 Dec 2026 08:51:00 GMT', T],
    ['2026-12-07T08:51:00', T + 14 * HOUR],
    ['2026-12-07 08:51:00.5', T + 500 + 14 * HOUR],
    ['2026-12-07T08:51', T + 14 * HOUR],
    ['2026-12-07', Date.UTC(2026, 11, 8) + 14 * HOUR],
  ])('%s → its latest instant', (text, expected) => {
    expect(latestInstantMs(text)).toBe(expected);
  });

  it.each([['12/07/2026 08:51'], ['yesterday'], [''], [undefined]])('%s: cannot be read (NaN: kept as a candidate)', (text) => {
    expect(latestInstantMs(text)).toBeNaN();
  });
});

// Attack report finding 1 (repro-13): a server that writes `createdAt` without a zone had it read
// in the client's zone; east of the server the execution looked hours old, fell out of the
// window, and the job was started a second time.
describe('reconcile: a createdAt without a zone only widens the search', () => {
  const sinceMs = Date.parse('2026-12-07T08:51:00.000Z');

  test.prop([fc.integer({ min: -12 * 60, max: 14 * 60 }).map((m) => m * 60_000), fc.integer({ min: -4 * 60_000, max: 60_000 })], { numRuns: 60 })(
    'a server anywhere from UTC-12 to UTC+14 writing its wall clock: the execution is still found (adopted)',
    async (offsetMs, lagMs) => {
      const created = wallClock(sinceMs + lagMs, offsetMs);
      expect(await lastValueFrom(reconcile(listing(created, XML), { flowId: FLOW_ID, xml: XML, sinceMs }, new Set()))).toEqual({ kind: 'adopt', executionId: ID });
    },
  );

  it.each(['2026-12-06T22:51:00', '2026-12-06 22:51:00.123', '2026-12-06T22:51', '2026-12-06'])(
    'zone-less %s whose input cannot be read: uncertain (never none, which restarts the job)',
    async (created) => {
      expect(await lastValueFrom(reconcile(listing(created, undefined), { flowId: FLOW_ID, xml: XML, sinceMs }, new Set()))).toMatchObject({ kind: 'uncertain', candidateIds: [ID] });
    },
  );

  it.each([
    ['zone-less, more than 14 h before the window', wallClock(sinceMs - 15 * HOUR - 6 * 60_000, 0)],
    ['with a zone, before the window', new Date(sinceMs - RECONCILE_SKEW_MS - 1_000).toISOString()],
    ['with an offset, before the window', new Date(sinceMs - RECONCILE_SKEW_MS - 1_000 + 9 * HOUR).toISOString().replace('Z', '+09:00')],
  ])('%s (%s): ruled out without being read', async (_, created) => {
    expect(await lastValueFrom(reconcile(listing(created, undefined), { flowId: FLOW_ID, xml: XML, sinceMs }, new Set()))).toEqual({ kind: 'none' });
  });

  it('in every client time zone (spawned with TZ): the same execution is adopted, or uncertain when its input cannot be read', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sfrx-tz-'));
    const entry = `
      const { lastValueFrom, of, throwError } = require('rxjs');
      const { reconcile } = require(${JSON.stringify(resolve(__dirname, '../../lib/batch/reconcile.ts'))});
      const sinceMs = Date.parse('2026-12-07T08:51:00.000Z');
      const cases = [['2026-12-07T08:51:00', true], ['2026-12-07T17:51:00', true], ['2026-12-06T22:51:00', true], ['2026-12-06T22:51:00', false]];
      (async () => {
        const out = [];
        for (const [createdAt, readable] of cases) {
          const deps = {
            listExecutions: () => of({ items: [{ id: ${JSON.stringify(ID)}, status: 'Running', rawStatus: 'Running', createdAt }], page: 0, size: 100 }),
            getExecution: (id) => (readable ? of({ id, status: 'Running', state: { inputData: ${JSON.stringify(XML)} } }) : throwError(() => new Error('no'))),
          };
          out.push((await lastValueFrom(reconcile(deps, { flowId: ${JSON.stringify(FLOW_ID)}, xml: ${JSON.stringify(XML)}, sinceMs }, new Set()))).kind);
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const bundle = join(folder, 'reconcile-tz.cjs');
    const built = buildSync({ stdin: { contents: entry, resolveDir: resolve(__dirname, '../..'), loader: 'js' }, bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
    writeFileSync(bundle, built.outputFiles[0]!.text);
    const zones = ['UTC', 'Asia/Tokyo', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Pacific/Pago_Pago'];
    const kinds = Object.fromEntries(zones.map((tz) => [tz, JSON.parse(spawnSync(process.execPath, [bundle], { env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 20_000 }).stdout || 'null') as string[]]));
    const expected = ['adopt', 'adopt', 'adopt', 'uncertain'];
    expect(kinds).toEqual(Object.fromEntries(zones.map((tz) => [tz, expected])));
  });
});

describe('a resumed batch whose server writes createdAt without a zone', () => {
  it('adopts the execution its lost start made (9 h behind as a zone-less wall clock): one start in all', async () => {
    const startingAt = '2026-12-07T08:51:00.000Z';
    const journal = memoryJournal([
      { type: 'planned', v: 1, at: startingAt, jobs: [{ key: 'a', flowId: FLOW_ID, inputHash: inputHash(FLOW_ID, XML) }] },
      { type: 'starting', at: startingAt, key: 'a' },
    ]);
    // The server's wall clock is UTC-9 (Alaska): "23:51" of the day before.
    const execution = { id: ID, status: 'Success', createdAt: wallClock(Date.parse(startingAt) + 2_000, -9 * HOUR), state: { inputData: XML } };
    server.use(
      http.get(`${API}/flows/${FLOW_ID}/executions`, () => HttpResponse.json({ content: [execution], number: 0, size: 100, totalElements: 1, totalPages: 1 })),
      http.get(`${API}/flows/executions/:id/progress`, ({ params }) => HttpResponse.json(progressBody('Success', 100, { id: params.id }))),
      http.get(`${API}/flows/executions/:id`, ({ params }) => HttpResponse.json({ ...execution, id: params.id })),
      http.post(START_URL, () => HttpResponse.json(progressBody('Running', 0, { id: 'eeeeeeee-0000-4000-8000-000000000002' }))),
    );
    const last = await lastValueFrom(testClient().runBatch([{ flowId: FLOW_ID, input: XML, key: 'a' }], { journal }));
    expect({ journal: last.journal, resumedAs: last.items[0]!.resumedAs, starts: requests.filter((r) => r.method === 'POST').length }).toEqual({
      journal: { resumed: 0, adopted: 1, restarted: 0, uncertain: 0 },
      resumedAs: 'adopted',
      starts: 0,
    });
  });
});
