// The client
export { SmartFlowsClient } from './client';
export type { RunOptions, WatchOptions, StartOptions } from './client';
export type { FollowOptions } from './execution/followExecution';

// Options
export { DEFAULTS } from './options';
export type { SmartFlowsClientOptions, PollingOptions, RetryOptions, FetchLike, TokenSource } from './options';

// Data
export type { FlowStatus, FlowProgress, FlowExecution, ExecutionEvent, ItemReference, DownloadedDocument } from './api/types';
export type { FlowInput } from './api/prepareInput';
export { normalizeStatus, isTerminalStatus, isSuccessStatus, isFailureStatus, needsUserAction, isIdleStatus } from './api/status';
export { isGuid } from './api/ids';

// Errors
export {
  SmartFlowsError,
  SmartFlowsInputError,
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
  FlowExecutionError,
  isSmartFlowsError,
  isSmartFlowsInputError,
  isSmartFlowsHttpError,
  isSmartFlowsNetworkError,
  isSmartFlowsResponseError,
  isSmartFlowsTimeoutError,
  isFlowExecutionError,
} from './errors';
