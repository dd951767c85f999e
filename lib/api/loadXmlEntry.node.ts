import type { XmlConverter } from './XmlConverter';

// The Node builds: a plain relative import that rollup keeps as `import('./xml.js')` (ESM) or
// `require('./xml.cjs')` (CJS) next to the core, so a Node app's bundler (esbuild, webpack,
// rollup) follows it into the bundle, and an aliased monorepo needs no self-reference by name.
// The browser build keeps `loadXmlEntry.ts`, which bundlers do not follow.

/** Loads the xml entry's `toXml`, only when an object input needs it. */
export const loadXmlEntry = (): Promise<{ toXml: XmlConverter }> => import('../xml/index');
