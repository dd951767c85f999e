// Documents: metadata, downloads (body limits, file names) and the `downloadDocuments` option's
// download of every document, and the reading of binary answers (the transport imports it at
// the first one: it is loaded by then). Loaded as one chunk at the first document call (see `loadParts.ts`).
export { documentCalls } from '../api/documents';
export { redactionOf } from '../api/redaction';
export { downloadAll } from '../documents/downloadAll';
export { readBinary } from '../http/readBinary';
