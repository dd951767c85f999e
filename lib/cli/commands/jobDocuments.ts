import { stat } from 'node:fs/promises';
import { from, map, mergeMap, type Observable, of, toArray } from 'rxjs';
import { type BatchItem, findDocuments } from '../../index';
import type { Connection } from '../connect';
import { safeFileName, writeDocuments } from '../writeDocuments';
import { fromJournal } from './batchState';
import type { EndedJob } from './batchView';

/**
 * Downloads an ended job's documents into `<out>/<key>/` (nothing without `--out`, nothing for
 * a job that did not succeed); emits the job with what was written.
 */
export function jobDocuments(connection: Connection, out: string | undefined, item: BatchItem): Observable<EndedJob> {
  if (!out || item.state !== 'succeeded') return of({ item, written: [] });
  const dir = `${out}/${safeFileName(item.key, 'job')}`;
  // A job ended before: its documents were written then, unless that run died first.
  const refs$ = fromJournal(item) ? from(stat(dir).then(() => [], () => item.outcome?.documents ?? [])) : of(findDocuments([item.progress?.model, item.execution?.state]));
  return refs$.pipe(
    mergeMap((refs) => from(refs)),
    mergeMap((ref) => connection.client.downloadDocument(ref.id), 1),
    toArray(),
    mergeMap((documents) => (documents.length === 0 && fromJournal(item) ? of([]) : writeDocuments(dir, documents))),
    map((written) => ({ item, written })),
  );
}
