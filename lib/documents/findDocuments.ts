import type { ItemReference } from '../api/types';

/** A reference to a document an execution produced, as found in `model` or `state.output`. */
export interface DocumentReference extends ItemReference {
  /** The document id, for `getDocument` and `downloadDocument`. */
  id: string;
  /** The document's name as the server gave it ('' when it gave none). */
  displayName: string;
  /** Always `'document'`: the marker the server puts on document references. */
  type: 'document';
}

/** Deeper than any real answer; bounds the walk on hostile input. */
const MAX_DEPTH = 64;

/**
 * Finds every document reference (`{ id, displayName, type: 'document' }`) at any depth of
 * a progress object, an execution, an output event or any JSON value: the server nests them
 * under block ids with property names that vary, sometimes in arrays. Each id is listed
 * once (the first occurrence wins), in the order met.
 *
 * @param source - a `FlowProgress` (its `model`), a `FlowExecution` (its `state.output`), an event…
 * @returns the references found; `[]` when there are none
 * @example
 * client.run(flowId, xml).pipe(
 *   filter((e) => e.type === 'output'),
 *   map((e) => findDocuments(e.progress)),
 * );
 */
export function findDocuments(source: unknown): DocumentReference[] {
  const found = new Map<string, DocumentReference>();
  const seen = new WeakSet<object>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (isDocumentReference(record)) {
      const key = record.id.toLowerCase();
      if (!found.has(key)) {
        found.set(key, { id: record.id, displayName: typeof record.displayName === 'string' ? record.displayName : '', type: 'document' });
      }
    }
    for (const child of Object.values(record)) walk(child, depth + 1);
  };
  walk(source, 0);
  return [...found.values()];
}

function isDocumentReference(value: Record<string, unknown>): value is { id: string; displayName?: unknown } {
  return typeof value.type === 'string' && value.type.toLowerCase() === 'document' && typeof value.id === 'string' && value.id.trim() !== '';
}
