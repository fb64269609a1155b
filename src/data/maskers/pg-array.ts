/**
 * PostgreSQL array literals in COPY text form (`{a,"b c",NULL}`, nested `{{1,2},{3,4}}`, an
 * optional `[1:2]=` bounds decoration): parsed, mapped element by element, written back.
 */

/** Maps every non-NULL element of an array literal through `mask`; structure and bounds kept. */
export function mapArrayLiteral(text: string, mask: (element: string) => string | null): string {
  let i = 0;
  let out = '';
  // Keep a `[lo:hi]=` dimension decoration as it is.
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    if (eq < 0) throw new Error(`malformed array literal: ${text.slice(0, 40)}`);
    out = text.slice(0, eq + 1);
    i = eq + 1;
  }
  let depth = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{') {
      depth++;
      out += c;
      i++;
    } else if (c === '}') {
      depth--;
      out += c;
      i++;
    } else if (c === ',' || c === ' ' || c === '\t' || c === '\n') {
      if (c === ',') out += c;
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      i++;
      out += quoteElement(mask(value));
    } else {
      let end = i;
      while (end < text.length && !',}'.includes(text[end]!)) {
        if (text[end] === '\\') end++;
        end++;
      }
      const raw = text.slice(i, end).trimEnd();
      i = end;
      if (raw.toUpperCase() === 'NULL') out += 'NULL';
      else out += quoteElement(mask(raw.replace(/\\(.)/g, '$1')));
    }
  }
  if (depth !== 0) throw new Error(`malformed array literal: ${text.slice(0, 40)}`);
  return out;
}

const needsQuotes = /^$|[{}",\\\s]|^null$/i;

/** An element as it must appear inside an array literal. */
export function quoteElement(value: string | null): string {
  if (value === null) return 'NULL';
  if (!needsQuotes.test(value)) return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
