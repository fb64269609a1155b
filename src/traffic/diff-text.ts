/**
 * Text bodies compared line by line: how many lines went and came, and the first that differs —
 * a summary a person can act on, not a full patch. Lines that differ only in volatile values
 * (timestamps, UUIDs, tokens) are told apart so an HTML page with a fresh CSRF token is noise.
 * Pure.
 */
import { normalizeVolatileText } from './noise-shape.js';

/** A summary of how two texts differ. */
export interface TextDifference {
  /** Lines only the recorded text has, and lines only the actual one has. */
  readonly removed: number;
  readonly added: number;
  /** 1-based line of the first difference in the recorded text. */
  readonly line: number;
  readonly recordedLine: string | undefined;
  readonly actualLine: string | undefined;
  /** True when the texts are equal once volatile values are replaced by placeholders. */
  readonly volatileOnly: boolean;
}

/** Beyond this many lines in the differing middle, lines are counted, not aligned. */
const alignLimit = 2_000;

/** How `recorded` and `actual` differ, or undefined when they are equal. */
export function diffText(recorded: string, actual: string): TextDifference | undefined {
  if (recorded === actual) return undefined;
  const normalA = normalizeVolatileText(recorded);
  const normalB = normalizeVolatileText(actual);
  const volatileOnly = normalA === normalB;
  // Compare the normalised lines, so a line differing only in a timestamp does not count.
  const a = (volatileOnly ? recorded : normalA).split('\n');
  const b = (volatileOnly ? actual : normalB).split('\n');
  const rawA = recorded.split('\n');
  const rawB = actual.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const common = commonLines(a.slice(start, endA), b.slice(start, endB));
  return {
    removed: endA - start - common,
    added: endB - start - common,
    line: start + 1,
    recordedLine: rawA[start],
    actualLine: rawB[start],
    volatileOnly,
  };
}

/** Length of the longest common subsequence of two line lists (0 when too long to align). */
function commonLines(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0 || a.length * b.length > (alignLimit * alignLimit) / 4)
    return 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j += 1)
      row[j] =
        a[i - 1] === b[j - 1]
          ? (previous[j - 1] ?? 0) + 1
          : Math.max(previous[j] ?? 0, row[j - 1] ?? 0);
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** One line describing a text difference: `-2 +1 lines, first at line 14: "old" → "new"`. */
export function describeText(diff: TextDifference, width = 60): string {
  const cut = (line: string | undefined): string =>
    line === undefined
      ? '(end)'
      : JSON.stringify(line.length > width ? `${line.slice(0, width)}…` : line);
  return `-${diff.removed} +${diff.added} lines, first at line ${diff.line}: ${cut(diff.recordedLine)} → ${cut(diff.actualLine)}`;
}
