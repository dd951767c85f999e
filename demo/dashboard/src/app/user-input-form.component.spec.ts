import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, tap } from 'rxjs';
import { type ExecutionEvent, SmartFlowsClient } from 'smart-flows-rx';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { builtInFlows, type SimulatorServer, startSimulatorServer } from 'smart-flows-rx/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UserInputFormComponent } from './user-input-form.component';

describe('UserInputFormComponent', () => {
  let server: SimulatorServer;

  beforeAll(async () => {
    server = await startSimulatorServer({ seed: 7 });
  });
  afterAll(() => server.close());

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withFetch()),
        provideSmartFlows({ baseUrl: server.url, apiKey: server.apiKey, polling: { intervalMs: 50, maxIntervalMs: 200 } }, withHttpClient()),
      ],
    });
  });

  it('renders the UserInput form from the progress and submits what was filled in', async () => {
    const client = TestBed.inject(SmartFlowsClient);
    let resolveAsking: (event: ExecutionEvent) => void;
    const asking = new Promise<ExecutionEvent>((resolve) => (resolveAsking = resolve));
    const finished = lastValueFrom(client.run(builtInFlows.userInput.id, '<Quote/>').pipe(tap((e) => e.progress.status === 'UserInput' && resolveAsking(e))));
    const event = await asking;

    const fixture = TestBed.createComponent(UserInputFormComponent);
    fixture.componentRef.setInput('executionId', event.executionId);
    fixture.componentRef.setInput('progress', event.progress);
    fixture.detectChanges();
    const form: HTMLFormElement = fixture.nativeElement.querySelector('form');
    const approved = form.querySelector<HTMLInputElement>('input[name="approved"]')!;
    const comment = form.querySelector<HTMLInputElement>('input[name="comment"]')!;
    expect(approved.type).toBe('checkbox');
    approved.click();
    comment.value = 'Looks right';
    comment.dispatchEvent(new Event('input'));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();

    const output = await finished;
    expect(output).toMatchObject({ type: 'output', execution: { status: 'Success' } });
    expect(output.progress.model).toMatchObject({ approved: true, comment: 'Looks right' });
  });
});
