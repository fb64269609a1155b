import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import { parseDotenv } from './dotenv-parse.js';

const parse = (text: string): Record<string, string> =>
  Object.fromEntries(parseDotenv(text, 'app.env'));

function errorOf(text: string): string {
  try {
    parseDotenv(text, 'app.env');
  } catch (error) {
    if (isUnderstudyError(error, 'E_INPUT')) return error.message;
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('parseDotenv', () => {
  it('reads plain lines, comments, blank lines and export', () => {
    const text = [
      '# database',
      'DB_HOST=db.internal',
      '',
      'export PORT=8080',
      '  LOG_LEVEL = info   # verbose elsewhere',
      'EMPTY=',
      'EMPTY_COMMENT= # nothing',
      'dotted.key-name=x',
    ].join('\n');
    expect(parse(text)).toEqual({
      DB_HOST: 'db.internal',
      PORT: '8080',
      LOG_LEVEL: 'info',
      EMPTY: '',
      EMPTY_COMMENT: '',
      'dotted.key-name': 'x',
    });
  });

  it('keeps # that does not follow whitespace', () => {
    expect(parse('COLOR=#fff\nURL=https://x.example/#top\n')).toEqual({
      COLOR: '#fff',
      URL: 'https://x.example/#top',
    });
  });

  it('reads single quotes literally and double quotes with escapes', () => {
    const text = [
      `SINGLE='a \\n # b $HOME'`,
      'DOUBLE="line1\\nline2\\t\\"quoted\\" \\\\ \\$x \\q"',
      'BACKTICK=`it\'s "both"`',
      'HASH="a # b" # comment after the quote',
    ].join('\n');
    expect(parse(text)).toEqual({
      SINGLE: 'a \\n # b $HOME',
      DOUBLE: 'line1\nline2\t"quoted" \\ $x \\q',
      BACKTICK: `it's "both"`,
      HASH: 'a # b',
    });
  });

  it('reads quoted values spanning lines, with CRLF line ends', () => {
    const text = 'KEY="-----BEGIN KEY-----\r\nabc\r\n-----END KEY-----"\r\nNEXT=1\r\n';
    expect(parse(text)).toEqual({ KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----', NEXT: '1' });
  });

  it('keeps the last value of a key set twice', () => {
    expect(parse('A=1\nA=2\n')).toEqual({ A: '2' });
  });

  it('does not expand variables', () => {
    expect(parse('URL=${HOST}:${PORT}')).toEqual({ URL: '${HOST}:${PORT}' });
  });

  it('names file, line and column of a mistake, never the value', () => {
    expect(errorOf('A=1\nnot a line\n')).toBe('app.env:2:5: expected "=" after not');
    expect(errorOf('A=1\n=2\n')).toBe('app.env:2:1: expected a KEY=value line');
    expect(errorOf('A=1\nPASSWORD="hunter2\nB=2\n')).toBe(
      'app.env:2:10: PASSWORD: the double-quoted value is never closed',
    );
    expect(errorOf(`A='x' y`)).toBe('app.env:1:7: A: unexpected text after the closing quote');
    expect(errorOf('A=1\nPASSWORD="hunter2\nB=2\n')).not.toContain('hunter2');
  });
});
