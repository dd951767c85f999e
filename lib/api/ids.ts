import { SmartFlowsInputError } from '../errors';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID such as `6de9206a-de42-4182-8f86-a9a8d29fbd56`. */
export const isGuid = (value: unknown): value is string => typeof value === 'string' && GUID.test(value);

/**
 * Checks that an id is a GUID and returns it URL-encoded for a path segment;
 * anything else (`../`, empty, a number) is refused before a request is built.
 */
export function guidSegment(value: unknown, what: string): string {
  if (!isGuid(value)) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 60)}"` : typeof value;
    throw new SmartFlowsInputError(`${what} must be a GUID like 6de9206a-de42-4182-8f86-a9a8d29fbd56, got ${shown}`);
  }
  return encodeURIComponent(value);
}
