import type { FlowScript } from '../types.js';
import { isGuid } from './random.js';

const OUTCOMES = new Set(['Success', 'Warning', 'Error', 'Interrupted']);
const STAGE_STATUSES = new Set(['Running', 'Waiting', 'SelectFlow']);

/**
 * Refuses a flow script the engine could not run sensibly, with a message that names the
 * flow and the field — a typo in a test's script should fail loudly, not time out.
 *
 * @throws TypeError describing the first problem found.
 */
export function validateFlowScript(script: FlowScript): void {
  const fail = (what: string): never => {
    throw new TypeError(`Invalid flow script '${String(script?.displayName ?? script?.id)}': ${what}`);
  };
  if (typeof script !== 'object' || script === null) fail('not an object');
  if (typeof script.id !== 'string' || !isGuid(script.id)) fail(`id '${String(script.id)}' is not a GUID`);
  if (typeof script.displayName !== 'string') fail('displayName must be a string');
  if (!OUTCOMES.has(script.outcome)) fail(`outcome '${String(script.outcome)}' is not one of ${[...OUTCOMES].join(', ')}`);
  if (script.queueMs !== undefined && !(script.queueMs >= 0)) fail('queueMs must be ≥ 0');
  if (!Array.isArray(script.stages)) fail('stages must be an array');
  script.stages.forEach((stage, i) => {
    if (typeof stage.message !== 'string') fail(`stages[${i}].message must be a string`);
    if (!(stage.durationMs >= 0) || !Number.isFinite(stage.durationMs)) fail(`stages[${i}].durationMs must be a finite number ≥ 0`);
    if (!(stage.percentage >= 0 && stage.percentage <= 100)) fail(`stages[${i}].percentage must be from 0 to 100`);
    if (stage.status !== undefined && !STAGE_STATUSES.has(stage.status)) fail(`stages[${i}].status '${stage.status}' is not allowed`);
  });
  const input = script.userInput;
  if (input) {
    if (!Number.isInteger(input.afterStage) || input.afterStage < 0 || input.afterStage >= script.stages.length) {
      fail(`userInput.afterStage must index one of the ${script.stages.length} stages`);
    }
    if (typeof input.model !== 'object' || input.model === null) fail('userInput.model must be an object');
  }
  (script.documents ?? []).forEach((doc, i) => {
    if (doc.id !== undefined && !isGuid(doc.id)) fail(`documents[${i}].id is not a GUID`);
    if (typeof doc.displayName !== 'string' || typeof doc.contentType !== 'string') fail(`documents[${i}] needs displayName and contentType`);
    if (typeof doc.bytes !== 'string' && !(doc.bytes instanceof Uint8Array)) fail(`documents[${i}].bytes must be a string or Uint8Array`);
  });
}
