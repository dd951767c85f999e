import { firstValueFrom } from 'rxjs';
import { type FlowExecution, type FlowStatus, isGuid, normalizeStatus } from '../../index';
import { wholeNumber } from '../args';
import { type Command, CONNECTION_HELP } from '../Command';
import { connect } from '../connect';
import { EXIT } from '../exitCodes';
import { hideSecrets } from '../hideSecrets';
import { UsageError } from '../UsageError';

const STATUSES: FlowStatus[] = ['Queued', 'Running', 'Waiting', 'UserInput', 'SelectFlow', 'Success', 'Warning', 'Error', 'Canceled', 'Interrupted'];

/** `smart-flows list`: one page of executions, newest first. */
export const list: Command = {
  name: 'list',
  usage: 'smart-flows list [--flow id] [--status s] [--size n] [--page n]',
  positionals: { min: 0, max: 0, names: '' },
  options: {
    flow: { type: 'string' },
    status: { type: 'string' },
    size: { type: 'string' },
    page: { type: 'string' },
  },
  help: `Lists executions, newest first: id, status, flow, start time (a table on stdout, or
one execution a line with --json).

Options:
  --flow <flowId>         only this flow's executions
  --status <status>       only this status (${STATUSES.join(', ')})
  --size <n>              executions per page, 1–1000 (default 20)
  --page <n>              page number, from 0 (default 0)
${CONNECTION_HELP}`,

  async run({ args, env, term }) {
    const { values } = args;
    const flowId = values.flow as string | undefined;
    if (flowId !== undefined && !isGuid(flowId)) throw new UsageError(`--flow '${flowId}' is not a GUID`);
    const wanted = typeof values.status === 'string' ? normalizeStatus(values.status) : undefined;
    if (wanted === 'Unknown') throw new UsageError(`--status '${String(values.status)}' is not one of ${STATUSES.join(', ')}`);
    const size = wholeNumber('size', values.size, 1, 1000);
    const page = wholeNumber('page', values.page, 0, 1_000_000);
    const { client } = connect(values, env);
    await hideSecrets(term, client);
    const result = await firstValueFrom(
      client.listExecutions({
        ...(flowId ? { flowId } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(page !== undefined ? { page } : {}),
        sort: 'createdAt,desc',
        ...(wanted ? { filter: `status:${wanted}` } : {}),
      }),
    );
    // The filter is a server-side "contains": keep only exact matches of the normalized status.
    const items = wanted ? result.items.filter((e) => normalizeStatus(e.status) === wanted) : result.items;
    for (const execution of items) term.event(execution);
    if (!term.json) printTable(items, (line) => term.result(line));
    if (!term.json) {
      const total = result.totalItems !== undefined ? ` of ${result.totalItems}` : '';
      term.note(`${items.length} execution${items.length === 1 ? '' : 's'}${total} (page ${result.page})`);
    }
    return EXIT.ok;
  },
};

function printTable(items: readonly FlowExecution[], print: (line: string) => void): void {
  if (items.length === 0) return;
  const rows = items.map((e) => [e.id, normalizeStatus(e.status), e.createdAt ?? '', e.flow?.displayName ?? e.flow?.id ?? '']);
  const header = ['EXECUTION', 'STATUS', 'CREATED', 'FLOW'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  for (const row of [header, ...rows]) print(row.map((cell, i) => (i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i]!))).join('  '));
}
