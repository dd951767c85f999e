import { describe, expect, it } from '@jest/globals';
import { filter, firstValueFrom, lastValueFrom, mergeMap, tap, toArray } from 'rxjs';
import { FlowExecutionError, userInputFields, type ExecutionEvent } from 'smart-flows-rx';
import { fastFlows, useSimulatorServer, wireClient } from '../helpers/wireApi';

const server = useSimulatorServer();
const flowId = fastFlows.userInput.id;
const statuses = (events: ExecutionEvent[]) => events.map((e) => (e.type === 'output' ? 'output' : e.progress.status));

describe('user input over the wire', () => {
  it('builds the fields from the UserInput progress, submits them, and the same run goes on to the output', async () => {
    const client = wireClient(server());
    let fields: ReturnType<typeof userInputFields> = [];
    const events = await lastValueFrom(
      client.run(flowId, '<Quote/>', { downloadDocuments: true }).pipe(
        tap((e) => {
          if (e.type !== 'progress' || e.progress.status !== 'UserInput') return;
          fields = userInputFields(e.progress);
          const values = Object.fromEntries(fields.map((f) => [f.key, f.default]));
          client.submitUserInput(e.executionId, { ...values, approved: true, comment: 'ok' }).subscribe();
        }),
        toArray(),
      ),
    );
    expect(fields).toEqual([
      { key: 'approved', title: 'Approved', type: 'boolean', default: false, required: false },
      { key: 'comment', title: 'Comment', type: 'string', default: '', required: false },
    ]);
    expect(statuses(events)).toContain('UserInput');
    const output = events.at(-1)!;
    expect(output.type).toBe('output');
    if (output.type !== 'output') return;
    expect(output.progress.model).toMatchObject({ approved: true, comment: 'ok' });
    expect(output.documents?.map((d) => d.fileName)).toEqual(['Quote.pdf']);
  });

  it('answers submitUserInput with the new progress', async () => {
    const client = wireClient(server());
    const paused = await firstValueFrom(client.run(flowId, '<Quote/>').pipe(filter((e) => e.type === 'progress' && e.progress.status === 'UserInput')));
    const next = await firstValueFrom(client.submitUserInput(paused.executionId, { approved: true }));
    expect(next.id).toBe(paused.executionId);
    expect(next.status).not.toBe('UserInput');
  });

  it('goes on when another client (another process) gives the input', async () => {
    const watcher = wireClient(server());
    const other = wireClient(server());
    const events = await lastValueFrom(
      watcher.run(flowId, '<Quote/>').pipe(
        tap((e) => {
          if (e.type === 'progress' && e.progress.status === 'UserInput') other.submitUserInput(e.executionId, { approved: true }).subscribe();
        }),
        toArray(),
      ),
    );
    expect(statuses(events).slice(-2)).toEqual(['Success', 'output']);
  });

  it("ends with FlowExecutionError status UserInput under onUserInput: 'error'", async () => {
    const error = await lastValueFrom(wireClient(server()).run(flowId, '<Quote/>', { onUserInput: 'error' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status: 'UserInput' });
  });

  it('never pauses with skipUserInput: the form keeps its defaults', async () => {
    const client = wireClient(server());
    const events = await lastValueFrom(client.run(flowId, '<Quote/>', { skipUserInput: true }).pipe(toArray()));
    expect(statuses(events)).not.toContain('UserInput');
    expect(events.at(-1)?.type).toBe('output');
  });

  it('startExecution with skipUserInput reaches the skip route', async () => {
    const s = server();
    const client = wireClient(s);
    await lastValueFrom(
      client.startExecution(flowId, undefined, { skipUserInput: true }).pipe(mergeMap((p) => client.watch(p.id))),
    );
    expect(s.simulator.requests.some((r) => r.method === 'POST' && r.path.startsWith('/api/v1/flows/executions/start?flowId='))).toBe(true);
  });
});
