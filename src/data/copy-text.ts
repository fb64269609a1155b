/**
 * PostgreSQL's COPY text format, for masking rows in flight: a row is one line, fields are split
 * by tabs, `\N` is NULL, and backslash escapes stand for control characters. Only the fields being
 * masked are decoded; every other byte of a row is passed on exactly as the source sent it.
 */
import type { ValueMasker } from './data-types.js';

const TAB = 0x09;
const NEWLINE = 0x0a;

const unescapes: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes one field's escapes (`\\`, `\t`, `\n`, octal `\123`, hex `\x41`, …). */
export function unescapeCopyText(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (_match, code: string) => {
    if (code.length > 1 && code[0] === 'x') return String.fromCharCode(parseInt(code.slice(1), 16));
    if (/^[0-7]+$/.test(code)) return String.fromCharCode(parseInt(code, 8));
    return unescapes[code] ?? code;
  });
}

/** Encodes one value the way `COPY … TO` prints it. */
export function escapeCopyText(value: string): string {
  return value.replace(/[\\\b\f\n\r\t\v]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return '\\v';
    }
  });
}

/** The field positions of a row to mask, with the masker of each. */
export type FieldMaskers = ReadonlyMap<number, ValueMasker>;

const nullField = Buffer.from('\\N');

/** Masks the chosen fields of one row (without its newline); the other fields stay byte-identical. */
export function maskCopyLine(line: Buffer, maskers: FieldMaskers): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let index = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== TAB) continue;
    const field = line.subarray(start, i);
    const masker = maskers.get(index);
    if (masker === undefined || field.equals(nullField)) parts.push(field);
    else {
      const masked = masker(unescapeCopyText(field.toString('utf8')));
      parts.push(masked === null ? nullField : Buffer.from(escapeCopyText(masked), 'utf8'));
    }
    if (i < line.length) parts.push(tabBuffer);
    start = i + 1;
    index++;
  }
  return Buffer.concat(parts);
}

const tabBuffer = Buffer.from([TAB]);

/** Masks every complete row in `block` (rows end with a newline); returns the masked block and the row count. */
export function maskCopyBlock(
  block: Buffer,
  maskers: FieldMaskers,
): { readonly data: Buffer; readonly rows: number } {
  const out: Buffer[] = [];
  let start = 0;
  let rows = 0;
  for (let end = block.indexOf(NEWLINE); end >= 0; end = block.indexOf(NEWLINE, start)) {
    out.push(maskCopyLine(block.subarray(start, end), maskers), newlineBuffer);
    start = end + 1;
    rows++;
  }
  if (start < block.length) out.push(block.subarray(start));
  return { data: Buffer.concat(out), rows };
}

const newlineBuffer = Buffer.from([NEWLINE]);

/** Counts rows (newlines) in a chunk of COPY text. */
export function countRows(chunk: Buffer): number {
  let rows = 0;
  for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) rows++;
  return rows;
}

/**
 * Splits a stream of chunks into blocks that end on a row boundary: feed chunks in, get whole
 * rows out; `rest()` returns what is left at the end (empty for well-formed COPY output).
 */
export class RowBlocks {
  #pending: Buffer[] = [];

  /** The complete rows available after `chunk`, or undefined when none is complete yet. */
  push(chunk: Buffer): Buffer | undefined {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.#pending.push(chunk);
      return undefined;
    }
    const block = Buffer.concat([...this.#pending, chunk.subarray(0, last + 1)]);
    this.#pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    return block;
  }

  rest(): Buffer {
    const rest = Buffer.concat(this.#pending);
    this.#pending = [];
    return rest;
  }
}
