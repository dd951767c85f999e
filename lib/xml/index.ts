/**
 * `smart-flows-rx/xml`: turning data into XML input for a flow ({@link toXml}) and checking
 * XML ({@link checkXml}). The core loads it lazily when a run's input is a plain object.
 *
 * @module smart-flows-rx/xml
 */

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
