import { isGuid } from '../api/ids';

/**
 * The references a download can name: those whose id is a GUID. Another id is skipped, not an
 * error: no request can name it, and the execution it came with succeeded. The one rule of
 * `downloadAll` (run, watch, `downloadDocuments: true`) and of the CLI's batch downloads.
 */
export const downloadable = <Ref extends { id: string }>(refs: readonly Ref[]): Ref[] => refs.filter((ref) => isGuid(ref.id));
