/**
 * XML names are case-sensitive (XML 1.0 §2.3, §3.1: an end tag's name matches the start
 * tag's exactly). Both checkers (the package's `lib/xml/checkXml.ts` and the simulator's
 * `lib/testing/engine/checkXml.ts`) are held to these cases.
 */
// [what, document, the same document with the end tag spelled exactly, message, offset of the end tag]
export const caseMismatches: [string, string, string, string, number][] = [
  ['a lower-case start tag closed in upper case', '<a></A>', '<a></a>', 'End tag </A> does not match start tag <a> (line 1, column 1)', 3],
  ['an upper-case start tag closed in lower case', '<A></a>', '<A></A>', 'End tag </a> does not match start tag <A> (line 1, column 1)', 3],
  ['a mixed-case name closed in another mix', '<Invoice></invoice>', '<Invoice></Invoice>', 'End tag </invoice> does not match start tag <Invoice> (line 1, column 1)', 9],
  ['a nested element closed in another case', '<a><Line></LINE></a>', '<a><Line></Line></a>', 'End tag </LINE> does not match start tag <Line> (line 1, column 4)', 9],
  ['a nested element on line 2 closed in another case', '<a>\n  <b><c/></B>\n</a>', '<a>\n  <b><c/></b>\n</a>', 'End tag </B> does not match start tag <b> (line 2, column 3)', 13],
  ['a prefix in another case', '<inv:a xmlns:inv="urn:x"></INV:a>', '<inv:a xmlns:inv="urn:x"></inv:a>', 'End tag </INV:a> does not match start tag <inv:a> (line 1, column 1)', 25],
  ['a local name in another case after a prefix', '<inv:a xmlns:inv="urn:x"><inv:Line></inv:line></inv:a>', '<inv:a xmlns:inv="urn:x"><inv:Line></inv:Line></inv:a>', 'End tag </inv:line> does not match start tag <inv:Line> (line 1, column 26)', 35],
  ['non-ASCII letters in another case', '<Straße><ä></Ä></Straße>', '<Straße><ä></ä></Straße>', 'End tag </Ä> does not match start tag <ä> (line 1, column 9)', 11],
];

/** Well-formed documents in which two names differ only in case: they are different names. */
export const caseDistinctNames: [string, string][] = [
  ['elements whose names differ only in case', '<a><A/><A></A></a>'],
  ['attributes whose names differ only in case', '<a x="1" X="2"/>'],
  ['prefixes that differ only in case', '<p:a xmlns:p="urn:x" xmlns:P="urn:y"><P:a/></p:a>'],
];
