/**
 * `smart-flows-rx/angular`: one provider call (`provideSmartFlows`), the app's `HttpClient` as
 * transport (`withHttpClient`), signal helpers (`injectExecution`, `injectBatch`), and a run as
 * Angular's `ResourceRef` (`executionResource`).
 * @module smart-flows-rx/angular
 */
// The provider and its features
export { provideSmartFlows } from './provideSmartFlows';
export type { SmartFlowsFeature, SmartFlowsFeatureKind } from './provideSmartFlows';
export { withHttpClient } from './withHttpClient';
export { httpClientFetch } from './httpClientFetch';
export type { HttpClientFetchOptions } from './httpClientFetch';
export { withServerRendering } from './withServerRendering';
export type { ServerRenderingOptions } from './withServerRendering';

// Signals
export { injectExecution } from './injectExecution';
export type { ExecutionRef, ExecutionRequest, RunRequest, WatchRequest, InjectExecutionOptions } from './injectExecution';
export { executionResource } from './executionResource';
export type { ExecutionResourceRef } from './executionResource';
export type { ResourceShape } from './asResource';
export { injectBatch } from './injectBatch';
export type { BatchRef, InjectBatchOptions } from './injectBatch';
