/** Turns a plain object into XML: `toXml` of `smart-flows-rx/xml`, or one of your own. */
export type XmlConverter = (data: Record<string, unknown>, options: { maxLength: number }) => string;
