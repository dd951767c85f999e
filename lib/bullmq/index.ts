/**
 * `smart-flows-rx/bullmq`: a processor for a BullMQ `Worker` that runs one flow per job across
 * any number of worker processes and machines, and never starts a job's flow twice when a
 * worker dies mid-job (`bullmq` is an optional peer dependency; the core never loads it).
 *
 * @module smart-flows-rx/bullmq
 */

export { flowProcessor } from './flowProcessor';
export { PROCESSOR_DEFAULTS } from './processorOptions';
export type { FlowProcessorOptions } from './processorOptions';
export type { FlowJob, FlowJobData, FlowJobDocument, FlowJobProgress, FlowJobResult, FlowProcessor } from './flowJobTypes';
export { SmartFlowsUncertainError, isSmartFlowsUncertainError } from './SmartFlowsUncertainError';
