import { describe, expect, it } from 'vitest';
import {
  RowBlocks,
  countRows,
  escapeCopyText,
  maskCopyBlock,
  maskCopyLine,
  unescapeCopyText,
} from './copy-text.js';

const upper = (text: string): string => text.toUpperCase();

describe('COPY text escapes', () => {
  it('round-trips control characters and backslashes', () => {
    const value = 'a\tb\nc\\d\re\bf\fg\vh';
    expect(escapeCopyText(value)).toBe('a\\tb\\nc\\\\d\\re\\bf\\fg\\vh');
    expect(unescapeCopyText(escapeCopyText(value))).toBe(value);
  });
  it('decodes octal and hex escapes', () => {
    expect(unescapeCopyText('\\101\\x42\\q')).toBe('ABq');
  });
});

describe('maskCopyLine', () => {
  it('masks only the chosen fields and keeps the others byte-identical', () => {
    const line = Buffer.from('1\tjo\\tanne\t\\x00raw\\\\\t\\N', 'utf8');
    const out = maskCopyLine(
      line,
      new Map([
        [1, upper],
        [3, upper],
      ]),
    );
    expect(out.toString()).toBe('1\tJO\\tANNE\t\\x00raw\\\\\t\\N');
  });
  it('keeps NULL without calling the masker and writes NULL when it returns null', () => {
    let calls = 0;
    const counting = (): string | null => (calls++, null);
    expect(
      maskCopyLine(
        Buffer.from('\\N\tx'),
        new Map([
          [0, counting],
          [1, counting],
        ]),
      ).toString(),
    ).toBe('\\N\t\\N');
    expect(calls).toBe(1);
  });
  it('handles multi-byte text', () => {
    expect(maskCopyLine(Buffer.from('zoë\t1'), new Map([[0, upper]])).toString()).toBe('ZOË\t1');
  });
});

describe('row blocks', () => {
  it('cuts chunks on row boundaries and masks whole blocks', () => {
    const blocks = new RowBlocks();
    expect(blocks.push(Buffer.from('a\t1\nb'))?.toString()).toBe('a\t1\n');
    expect(blocks.push(Buffer.from('\t2'))).toBeUndefined();
    const block = blocks.push(Buffer.from('\nc\t3\n'));
    expect(block?.toString()).toBe('b\t2\nc\t3\n');
    expect(blocks.rest().length).toBe(0);
    const masked = maskCopyBlock(block ?? Buffer.alloc(0), new Map([[0, upper]]));
    expect(masked.data.toString()).toBe('B\t2\nC\t3\n');
    expect(masked.rows).toBe(2);
    expect(countRows(Buffer.from('x\ny\n'))).toBe(2);
  });
});
