import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { createVirtualClock, SIMULATOR_USER } from 'smart-flows-rx/testing';
import { fastFlows, useSimulatorServer } from '../helpers/wireApi';

// A virtual clock: the test moves time to expire tokens. Flows are not run here.
const clock = createVirtualClock();
const server = useSimulatorServer({ clock, tokenTtlMs: 60_000 });
const credentials = { username: SIMULATOR_USER.username, password: SIMULATOR_USER.password };
const fastOptions = { polling: { intervalMs: 1, maxIntervalMs: 5 }, retry: { delayMs: 1, jitter: false } };

describe('auth over the wire', () => {
  it('login gives a JWT that works as bearerToken', async () => {
    const anonymous = new SmartFlowsClient({ baseUrl: server().url, bearerToken: 'not-yet', ...fastOptions });
    const token = await firstValueFrom(anonymous.login(credentials));
    expect(token.split('.')).toHaveLength(3);
    const client = new SmartFlowsClient({ baseUrl: server().url, bearerToken: token, ...fastOptions });
    const page = await firstValueFrom(client.listExecutions({ size: 1 }));
    expect(page.page).toBe(0);
  });

  it('a wrong password is a 401', async () => {
    const client = new SmartFlowsClient({ baseUrl: server().url, apiKey: server().apiKey });
    await expect(firstValueFrom(client.login({ ...credentials, password: 'nope' }))).rejects.toMatchObject({ name: 'SmartFlowsHttpError', status: 401 });
  });

  it('withLogin logs in by itself, and again once the server expired the token', async () => {
    const client = SmartFlowsClient.withLogin({ baseUrl: server().url, ...fastOptions }, credentials);
    const logins = () => server().simulator.requests.filter((r) => r.route === 'login').length;
    const before = logins();
    const started = await firstValueFrom(client.startExecution(fastFlows.short.id, '<Letter/>'));
    expect(logins()).toBe(before + 1);
    clock.advance(120_000); // the token expired on the server
    const progress = await lastValueFrom(client.getProgress(started.id));
    expect(progress.id).toBe(started.id);
    expect(logins()).toBe(before + 2);
    const refused = server().simulator.requests.filter((r) => r.status === 401 && r.route === 'progress');
    expect(refused).toHaveLength(1);
  });
});
