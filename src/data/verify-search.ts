/**
 * Multi-pattern substring search (Aho–Corasick), pure: every pattern is found in one pass over a
 * text, whatever the number of patterns. `data verify` uses it to look for any real value inside
 * every text and json value of the target. Matching is on UTF-16 code units and, by default,
 * case-insensitive (both sides lower-cased), so `ANN@EXAMPLE.COM` still counts as a leak.
 *
 * With `wholeWords`, an occurrence counts only where it is not part of a longer word: the text
 * around it must not continue a letter or digit the pattern starts or ends with. `King` is found
 * in `http://intranet/king.bmp` and `Mr King`, not in `Kingston`; `ann@example.com` is found in
 * `<ann@example.com>`. Underscores separate words here (`king_photo` holds `king`).
 */

/** Whether a UTF-16 code unit is a letter or a digit (a surrogate half counts as a letter). */
function isWordUnit(code: number): boolean {
  if (code < 128)
    return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  if (code >= 0xd800 && code <= 0xdfff) return true;
  return /[\p{L}\p{N}\p{M}]/u.test(String.fromCharCode(code));
}

/** Whether `word` occurs in `text` as a whole word (case-insensitive), as `wholeWords` finds it. */
export function containsWord(text: string, word: string): boolean {
  if (word === '') return false;
  const subject = text.toLowerCase();
  const needle = word.toLowerCase();
  for (let at = subject.indexOf(needle); at >= 0; at = subject.indexOf(needle, at + 1)) {
    if (standsAlone(subject, at, at + needle.length - 1)) return true;
  }
  return false;
}

/** Whether `text[first..last]` is not glued to a letter or digit on either side. */
function standsAlone(text: string, first: number, last: number): boolean {
  if (first > 0 && isWordUnit(text.charCodeAt(first)) && isWordUnit(text.charCodeAt(first - 1)))
    return false;
  return !(
    last + 1 < text.length &&
    isWordUnit(text.charCodeAt(last)) &&
    isWordUnit(text.charCodeAt(last + 1))
  );
}

/** Finds which patterns occur in a text; each pattern carries the labels it was added with. */
export class PatternSearch<T> {
  private readonly next: Map<number, number>[] = [new Map<number, number>()];
  private readonly labels: (T[] | undefined)[] = [undefined];
  /** Length of the pattern a node spells. */
  private readonly depth: number[] = [0];
  private fail: Int32Array = new Int32Array(0);
  /** The nearest proper suffix node that ends a pattern, or -1. */
  private outLink: Int32Array = new Int32Array(0);
  private built = false;
  private patternCount = 0;

  constructor(
    private readonly caseInsensitive = true,
    private readonly wholeWords = false,
  ) {}

  /** Number of distinct patterns added. */
  get size(): number {
    return this.patternCount;
  }

  /** Adds a pattern with a label; the same pattern may be added with several labels. */
  add(pattern: string, label: T): void {
    if (this.built) throw new Error('PatternSearch: add after search');
    if (pattern === '') return;
    const text = this.caseInsensitive ? pattern.toLowerCase() : pattern;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let child = this.next[node]!.get(code);
      if (child === undefined) {
        child = this.next.length;
        this.next.push(new Map<number, number>());
        this.labels.push(undefined);
        this.depth.push(i + 1);
        this.next[node]!.set(code, child);
      }
      node = child;
    }
    const labels = this.labels[node];
    if (labels === undefined) {
      this.labels[node] = [label];
      this.patternCount++;
    } else if (!labels.includes(label)) labels.push(label);
  }

  private build(): void {
    const count = this.next.length;
    this.fail = new Int32Array(count);
    this.outLink = new Int32Array(count).fill(-1);
    const queue: number[] = [];
    for (const child of this.next[0]!.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (const [code, child] of this.next[node]!) {
        let f = this.fail[node]!;
        while (f !== 0 && !this.next[f]!.has(code)) f = this.fail[f]!;
        const target = this.next[f]!.get(code);
        const failTo = target !== undefined && target !== child ? target : 0;
        this.fail[child] = failTo;
        this.outLink[child] = this.labels[failTo] !== undefined ? failTo : this.outLink[failTo]!;
        queue.push(child);
      }
    }
    this.built = true;
  }

  /** The labels of every pattern that occurs in `text` (each label once). */
  search(text: string): Set<T> {
    if (!this.built) this.build();
    const found = new Set<T>();
    const subject = this.caseInsensitive ? text.toLowerCase() : text;
    let node = 0;
    for (let i = 0; i < subject.length; i++) {
      const code = subject.charCodeAt(i);
      let child = this.next[node]!.get(code);
      while (child === undefined && node !== 0) {
        node = this.fail[node]!;
        child = this.next[node]!.get(code);
      }
      node = child ?? 0;
      for (let out = this.labels[node] !== undefined ? node : this.outLink[node]!; out >= 0;) {
        if (!this.wholeWords || standsAlone(subject, i - this.depth[out]! + 1, i))
          for (const label of this.labels[out]!) found.add(label);
        out = this.outLink[out]!;
      }
    }
    return found;
  }
}
