// progress.spec.ts: the library's requests are HttpClient requests, answered by its testing backend.
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient } from 'smart-flows-rx';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';

const ID = '7d0c1c55-2f4b-4c47-9d61-0d5d7c1c0a11';

beforeEach(() =>
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(),
      provideHttpClientTesting(),
      provideSmartFlows({ baseUrl: 'https://flows.example.com', apiKey: 'test' }, withHttpClient()),
    ],
  }),
);

it('reads the progress', async () => {
  const progress = firstValueFrom(TestBed.inject(SmartFlowsClient).getProgress(ID));
  const http = TestBed.inject(HttpTestingController);
  await new Promise((resolve) => setTimeout(resolve));
  // The URL carries the query (`…/progress?timeout=1`): match the path with includes, not endsWith.
  http.expectOne((r) => r.url.includes(`/executions/${ID}/progress`)).flush({ id: ID, status: 'Running', percentage: 40, message: '' });
  expect(await progress).toMatchObject({ status: 'Running', percentage: 40 });
});
