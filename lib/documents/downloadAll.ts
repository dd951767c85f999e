import { from, map, mergeMap, type Observable, of, toArray } from 'rxjs';
import type { DownloadedDocument, FlowExecution, FlowProgress } from '../api/types';
import { downloadable } from './downloadable';
import { findDocuments } from './findDocuments';
import { distinctFileNames } from './safeFileName';

/** Downloads one document; `knownName` spares the metadata request when the header has no name. */
export type DownloadOne = (documentId: string, knownName?: string) => Observable<DownloadedDocument>;

/** Documents downloaded side by side; enough to overlap latency, few enough to be polite. */
const CONCURRENCY = 4;

/**
 * Downloads every document an execution produced, found in the final progress `model` and
 * in the execution (`state.output`), each once; the result keeps the order they were found in.
 * A reference whose id is not a GUID is skipped: no request can name it, and the execution
 * it came with succeeded (`findDocuments` on the output event still lists it). Any failed
 * download fails the whole (the caller asked for the documents with the output). Their
 * `fileName`s are distinct, case-insensitively ({@link distinctFileNames}: `name.pdf`,
 * `name (2).pdf`), so that writing each under its `fileName` into one folder keeps them all.
 */
export function downloadAll(download: DownloadOne, progress: FlowProgress, execution: FlowExecution): Observable<DownloadedDocument[]> {
  const refs = downloadable(findDocuments([progress.model, execution.state]));
  if (refs.length === 0) return of([]);
  return from(refs.map((ref, index) => ({ ref, index }))).pipe(
    mergeMap(({ ref, index }) => download(ref.id, ref.displayName).pipe(map((doc) => ({ doc, index }))), CONCURRENCY),
    toArray(),
    map((done) => {
      const nameOf = distinctFileNames();
      return done.sort((a, b) => a.index - b.index).map(({ doc }) => {
        const fileName = nameOf(doc.fileName);
        return fileName === doc.fileName ? doc : { ...doc, fileName };
      });
    }),
  );
}
