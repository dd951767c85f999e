/** One CSV record and the line it starts on (1-based, counting the header). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV that does not parse, with the line the problem is on. */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally in double quotes (`""` is a quote,
 * quoted fields may hold commas and line breaks), CRLF or LF. Blank lines are skipped.
 * Strict, so a broken file stops the batch before anything is sent.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (src[i] === '"') {
        i++;
        for (;;) {
          if (i >= src.length) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = src[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw new CsvSyntaxError(line, 'text after a closing quote (quote the whole field, and double quotes inside it)');
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
          if (src[i] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field, and double quotes inside it)');
          field += src[i];
          i++;
        }
      }
      fields.push(field);
      field = '';
      const c = src[i];
      if (c === ',') i++;
      else {
        if (c === '\r') i++;
        if (src[i] === '\n') i++;
        line++;
        endOfRecord = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
