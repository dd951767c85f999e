// The provider and its features
export { provideSmartFlows } from './provideSmartFlows';
export type { SmartFlowsFeature, SmartFlowsFeatureKind } from './provideSmartFlows';
export { withHttpClient } from './withHttpClient';
export { httpClientFetch } from './httpClientFetch';

// Signals
export { injectExecution } from './injectExecution';
export type { ExecutionRef, ExecutionRequest, RunRequest, WatchRequest, InjectExecutionOptions } from './injectExecution';
export { injectBatch } from './injectBatch';
export type { BatchRef, InjectBatchOptions } from './injectBatch';
