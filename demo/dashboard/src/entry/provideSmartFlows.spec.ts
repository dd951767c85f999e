import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Injectable, inject, provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { createApplication } from '@angular/platform-browser';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { SmartFlowsClient, SmartFlowsInputError } from 'smart-flows-rx';
import * as angularEntry from 'smart-flows-rx/angular';
import { provideSmartFlows, withHttpClient } from 'smart-flows-rx/angular';
import { describe, expect, it } from '@jest/globals';
import { nextRequest } from '../testing/next-request';

const ID = '0d9c4c38-5a43-4c39-9a3e-1c5b7e0c0001';
const BASE = 'https://flows.example.com';

/** An app's auth service, which the factory form injects. */
@Injectable({ providedIn: 'root' })
class AuthService {
  readonly token = signal('token-1');
}

describe('the smart-flows-rx/angular entry', () => {
  it('exports exactly this public surface (a change here is a deliberate API change)', () => {
    expect(Object.keys(angularEntry).filter((k) => k !== 'default').sort()).toEqual(['executionResource', 'httpClientFetch', 'injectBatch', 'injectExecution', 'provideSmartFlows', 'withHttpClient', 'withServerRendering']);
  });

  it('is in the packed library, and the core entry never imports Angular', () => {
    const dist = resolve(process.cwd(), 'node_modules/smart-flows-rx/dist');
    for (const file of ['angular.js', 'angular.cjs', 'angular.d.ts', 'angular.d.cts']) expect(readFileSync(resolve(dist, file), 'utf8').length).toBeGreaterThan(0);
    for (const file of ['index.js', 'index.cjs', 'index.browser.js', 'index.d.ts']) expect(readFileSync(resolve(dist, file), 'utf8')).not.toMatch(/@angular\//);
  });
});

describe('provideSmartFlows', () => {
  it('gives the app one client, built from the options object', () => {
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideSmartFlows({ baseUrl: BASE, apiKey: 'key-1' })] });
    const client = TestBed.inject(SmartFlowsClient);
    expect(client).toBeInstanceOf(SmartFlowsClient);
    expect(TestBed.inject(SmartFlowsClient)).toBe(client);
    expect(client.options.apiRoot).toBe(`${BASE}/api/v1`);
  });

  it('runs the factory form in an injection context, so it may inject an auth service for bearerToken', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideSmartFlows(() => {
          const auth = inject(AuthService);
          return { baseUrl: BASE, bearerToken: () => auth.token() };
        }, withHttpClient()),
      ],
    });
    const client = TestBed.inject(SmartFlowsClient);
    const http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).token.set('token-2');

    const answer = firstValueFrom(client.getProgress(ID));
    const request = await nextRequest(http);
    expect(request.request.headers.get('Authorization')).toBe('Bearer token-2');
    request.flush({ id: ID, status: 'Running', percentage: 10, message: '' });
    await expect(answer).resolves.toMatchObject({ status: 'Running' });
  });

  it('fails at bootstrap with SmartFlowsInputError when the options are wrong (object form)', async () => {
    const app = createApplication({ providers: [provideZonelessChangeDetection(), provideSmartFlows({ baseUrl: 'ftp://flows.example.com', apiKey: 'key-1' })] });
    await expect(app).rejects.toBeInstanceOf(SmartFlowsInputError);
    await expect(app).rejects.toThrow(/https: or http:/);
  });

  it('fails at bootstrap with SmartFlowsInputError when the factory gives wrong options', async () => {
    const app = createApplication({ providers: [provideZonelessChangeDetection(), provideSmartFlows(() => ({ baseUrl: BASE }))] });
    await expect(app).rejects.toThrow(SmartFlowsInputError);
    await expect(app).rejects.toThrow(/apiKey or bearerToken/);
  });

  it('fails in TestBed as soon as the injector is created, before anything injects the client', () => {
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideSmartFlows({ baseUrl: BASE, apiKey: 'has a space' })] });
    expect(() => TestBed.inject(AuthService)).toThrow(SmartFlowsInputError);
  });

  it('refuses a fetch option together with withHttpClient()', async () => {
    const app = createApplication({
      providers: [provideZonelessChangeDetection(), provideHttpClient(), provideSmartFlows({ baseUrl: BASE, apiKey: 'key-1', fetch: globalThis.fetch }, withHttpClient())],
    });
    await expect(app).rejects.toThrow(/fetch and withHttpClient/);
  });

  it('bootstraps an app whose client works from the start', async () => {
    const app = await createApplication({ providers: [provideZonelessChangeDetection(), provideSmartFlows({ baseUrl: BASE, apiKey: 'key-1' })] });
    const client = app.injector.get(SmartFlowsClient);
    expect(client.options.apiRoot).toBe(`${BASE}/api/v1`);
    expect(app.injector.get(SmartFlowsClient)).toBe(client);
    app.destroy();
  });
});
