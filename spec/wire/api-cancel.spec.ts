import { describe, expect, it } from '@jest/globals';
import { filter, firstValueFrom, lastValueFrom, take, tap } from 'rxjs';
import { FlowExecutionError } from 'smart-flows-rx';
import { fast, fastFlows, useSimulatorServer, wireClient } from '../helpers/wireApi';

// Long enough stages that the flow is surely still running when the test cancels it.
const slow = { ...fast(fastFlows.long, 60_000), id: '5f1a0000-0000-4000-8000-0000000000aa' };
const server = useSimulatorServer({ flows: [...Object.values(fastFlows), slow] });

const cancelRequests = () => server().simulator.requests.filter((r) => r.route === 'cancel');

describe('cancel over the wire', () => {
  it.each(['sdk', 'guide'] as const)("cancelExecution (endpointStyle '%s') ends a running execution as Canceled", async (endpointStyle) => {
    const client = wireClient(server(), { endpointStyle });
    const started = await firstValueFrom(client.startExecution(slow.id, '<Report/>'));
    await lastValueFrom(client.cancelExecution(started.id), { defaultValue: undefined });
    const after = await firstValueFrom(client.getProgress(started.id));
    expect(after.status).toBe('Canceled');
    const last = cancelRequests().at(-1)!;
    expect(last.path).toBe(endpointStyle === 'sdk' ? `/api/v1/flows/executions/${started.id}/progress` : `/api/v1/flows/executions/${started.id}`);
  });

  it('cancelOnUnsubscribe cancels the execution when the subscriber leaves', async () => {
    const client = wireClient(server());
    const first = await firstValueFrom(client.run(slow.id, '<Report/>', { cancelOnUnsubscribe: true }).pipe(take(1)));
    // The cancel is sent at unsubscription; poll until the server shows it (event-driven, no sleep).
    const canceled = await firstValueFrom(client.watch(first.executionId).pipe(filter(() => false)), { defaultValue: undefined }).catch((e: unknown) => e);
    expect(canceled).toBeInstanceOf(FlowExecutionError);
    expect(canceled).toMatchObject({ status: 'Canceled', executionId: first.executionId });
  });

  it('a run cancelled by someone else ends with FlowExecutionError status Canceled and the execution', async () => {
    const runner = wireClient(server());
    const other = wireClient(server());
    const error = await lastValueFrom(
      runner.run(slow.id, '<Report/>').pipe(
        tap((e) => {
          if (e.type === 'progress' && e.progress.status === 'Running') other.cancelExecution(e.executionId).subscribe();
        }),
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowExecutionError);
    expect(error).toMatchObject({ status: 'Canceled' });
    expect((error as FlowExecutionError).execution?.status).toBe('Canceled');
  });
});
