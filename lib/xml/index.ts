// The `smart-flows-rx/xml` entry: turning data into XML, and checking XML. Re-exports only.

// Building documents
export { toXml } from './toXml.js';
export type { ToXmlOptions, XmlInput } from './toXml.js';

// Checking documents and names (dependency-free; the core client imports these files directly)
export { checkXml, isWellFormedXml } from './checkXml.js';
export type { XmlIssue } from './checkXml.js';
export { isXmlName } from './xmlName.js';

// Errors
export { XmlInputError, isXmlInputError } from './XmlInputError.js';
export type { XmlInputErrorCode } from './XmlInputError.js';
