// Documents: metadata, downloads (body limits, file names) and the `downloadDocuments` option's
// download of every document. Loaded as one chunk at the first document call (see `loadParts.ts`).
export { documentCalls } from '../api/documents';
export { downloadAll } from '../documents/downloadAll';
