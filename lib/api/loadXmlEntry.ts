import type { XmlConverter } from './XmlConverter';

// The sources and the browser build: a specifier bundlers cannot follow, so a browser bundle
// never pulls in the xml entry (xmlbuilder2 needs Node's `events` and `url`). Node and test
// runners resolve it at run time; in a browser, pass the `toXml` client option instead.
// The Node builds (dist/index.js, .cjs) use `loadXmlEntry.node.ts` instead (see rollup.config.mjs).
const XML_ENTRY = ['smart-flows-rx', 'xml'].join('/');

/** Loads the `smart-flows-rx/xml` entry's `toXml`, only when an object input needs it. */
export const loadXmlEntry = (): Promise<{ toXml: XmlConverter }> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ XML_ENTRY) as Promise<{ toXml: XmlConverter }>;
