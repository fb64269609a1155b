/**
 * A dotenv parser, pure, written out rather than one regular expression so every mistake gets a
 * line and column. The syntax is what Docker Compose and the `dotenv` packages agree on:
 *
 * - `KEY=value`, `export KEY=value`, spaces around `=` allowed; keys `[A-Za-z_][A-Za-z0-9_.-]*`.
 * - Blank lines and `# comments`. In an unquoted value `#` starts a comment only after whitespace,
 *   so `COLOR=#fff` and `URL=https://x/#top` keep their `#` (as Compose and shells read them).
 * - Unquoted values are trimmed. `'single'` and `` `backtick` `` quotes are literal;
 *   `"double"` quotes understand `\n \r \t \\ \" \$` and keep any other backslash as written.
 *   Quoted values may span lines.
 * - `${VAR}` is not expanded: parity compares the text that is deployed.
 * - A key set twice keeps its last value, as `dotenv` does.
 *
 * Error messages name the key and the position but never quote a value: it may be a secret.
 */
import { UnderstudyError } from '../shared/errors.js';

/** Parses dotenv text into key → value (in file order); `file` names it in errors. */
export function parseDotenv(text: string, file: string): Map<string, string> {
  const values = new Map<string, string>();
  const src = text.replace(/^\uFEFF/, '');
  let i = 0;
  const fail = (offset: number, message: string): never => {
    throw new UnderstudyError('E_INPUT', `${file}:${position(src, offset)}: ${message}`, {
      hint: 'Fix the dotenv syntax: KEY=value lines, quoted values closed on a later line.',
    });
  };
  const skipBlanks = (): void => {
    while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
  };
  const atLineEnd = (): boolean => i >= src.length || src[i] === '\n' || src[i] === '\r';
  const skipComment = (): void => {
    while (i < src.length && src[i] !== '\n') i++;
  };

  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    if (src[i] === '#') {
      skipComment();
      continue;
    }
    if (/^export[ \t]/.test(src.slice(i, i + 7))) {
      i += 7;
      skipBlanks();
    }
    const keyMatch = /[A-Za-z_][A-Za-z0-9_.-]*/y;
    keyMatch.lastIndex = i;
    const key = keyMatch.exec(src)?.[0];
    if (key === undefined) return fail(i, 'expected a KEY=value line');
    const name = key;
    i += name.length;
    skipBlanks();
    if (src[i] !== '=') return fail(i, `expected "=" after ${name}`);
    i++;
    const afterEquals = i;
    skipBlanks();

    const quote = src[i];
    if (quote === '"' || quote === "'" || quote === '`') {
      const opened = i;
      i++;
      let value = '';
      for (;;) {
        if (i >= src.length) {
          const kind = quote === '"' ? 'double' : quote === "'" ? 'single' : 'backtick';
          return fail(opened, `${name}: the ${kind}-quoted value is never closed`);
        }
        const ch = src[i]!;
        if (ch === quote) {
          i++;
          break;
        }
        if (ch === '\\' && quote === '"' && i + 1 < src.length) {
          value += unescape(src[i + 1]!);
          i += 2;
          continue;
        }
        if (ch === '\r' && src[i + 1] === '\n') {
          i++;
          continue;
        }
        value += ch;
        i++;
      }
      skipBlanks();
      if (src[i] === '#') skipComment();
      else if (!atLineEnd()) return fail(i, `${name}: unexpected text after the closing quote`);
      values.set(name, value);
      continue;
    }

    const start = i;
    while (!atLineEnd()) {
      const prev = src[i - 1];
      if (src[i] === '#' && i > afterEquals && (prev === ' ' || prev === '\t')) break;
      i++;
    }
    values.set(name, src.slice(start, i).trim());
    skipComment();
  }
  return values;
}

/** The character a double-quoted escape stands for; unknown escapes keep their backslash. */
function unescape(ch: string): string {
  switch (ch) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case '\\':
    case '"':
    case '$':
      return ch;
    default:
      return `\\${ch}`;
  }
}

/** `line:col` (1-based) of an offset in a text. */
export function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let j = 0; j < offset && j < text.length; j++) {
    if (text[j] === '\n') {
      line++;
      lineStart = j + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}
