/**
 * The lines of the side-by-side diff: a JSON body pretty-printed with the path of every line and
 * whether the other side holds something else there; a text body line by line, marking the lines
 * outside the longest common subsequence. Pure.
 */

export interface DiffLine {
  readonly text: string;
  readonly depth: number;
  /** `$.items[3].price` for JSON lines (as the replay report writes paths); '' for text. */
  readonly path: string;
  readonly changed: boolean;
}

/** Lines drawn per side at most; a longer body ends with a line saying how many were left out. */
export const MAX_LINES = 1500;

const identifier = /^[A-Za-z_$][\w$-]*$/;

function keyStep(key: string): string {
  return identifier.test(key) ? `.${key}` : `['${key.replace(/'/g, "\\'")}']`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Other {
  readonly has: boolean;
  readonly value: unknown;
}

const absent: Other = { has: false, value: undefined };

function child(other: Other, key: string | number): Other {
  if (!other.has) return absent;
  if (typeof key === 'number')
    return Array.isArray(other.value) && key < other.value.length
      ? { has: true, value: other.value[key] }
      : absent;
  return isObject(other.value) && Object.hasOwn(other.value, key)
    ? { has: true, value: other.value[key] }
    : absent;
}

function sameScalar(a: unknown, b: Other): boolean {
  return b.has && typeof a === typeof b.value && a === b.value;
}

/** `value` pretty-printed, each line marked changed where `other` differs (or lacks it). */
export function jsonDiffLines(value: unknown, other: unknown): DiffLine[] {
  const out: DiffLine[] = [];
  const walk = (
    v: unknown,
    o: Other,
    path: string,
    depth: number,
    prefix: string,
    comma: string,
  ): void => {
    if (Array.isArray(v) || isObject(v)) {
      const array = Array.isArray(v);
      const sameKind = o.has && (array ? Array.isArray(o.value) : isObject(o.value));
      const entries: [string | number, unknown][] = array
        ? v.map((item, i): [number, unknown] => [i, item])
        : Object.entries(v);
      const [open, close] = array ? ['[', ']'] : ['{', '}'];
      if (entries.length === 0) {
        const otherEmpty =
          sameKind &&
          (array
            ? (o.value as unknown[]).length === 0
            : Object.keys(o.value as object).length === 0);
        out.push({ text: `${prefix}${open}${close}${comma}`, depth, path, changed: !otherEmpty });
        return;
      }
      out.push({ text: `${prefix}${open}`, depth, path, changed: !sameKind });
      entries.forEach(([key, item], i) => {
        const childPath = typeof key === 'number' ? `${path}[${key}]` : `${path}${keyStep(key)}`;
        const childPrefix = typeof key === 'number' ? '' : `${JSON.stringify(key)}: `;
        walk(
          item,
          child(o, key),
          childPath,
          depth + 1,
          childPrefix,
          i < entries.length - 1 ? ',' : '',
        );
      });
      out.push({ text: `${close}${comma}`, depth, path, changed: !sameKind });
      return;
    }
    out.push({
      text: `${prefix}${JSON.stringify(v) ?? 'null'}${comma}`,
      depth,
      path,
      changed: !sameScalar(v, o),
    });
  };
  walk(value, { has: true, value: other }, '$', 0, '', '');
  return cap(out);
}

/** Text lines of `text`, marked changed when they are not part of the common subsequence. */
export function textDiffLines(text: string, other: string): DiffLine[] {
  const a = text.split('\n');
  const b = other.split('\n');
  const common = a.length * b.length <= 400_000 ? lcsMask(a, b) : a.map((line, i) => line === b[i]);
  return cap(a.map((line, i) => ({ text: line, depth: 0, path: '', changed: common[i] !== true })));
}

/** Which lines of `a` belong to a longest common subsequence with `b`. */
function lcsMask(a: readonly string[], b: readonly string[]): boolean[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i -= 1)
    for (let j = m - 1; j >= 0; j -= 1)
      table[i * (m + 1) + j] =
        a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  const mask = new Array<boolean>(n).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      mask[i] = true;
      i += 1;
      j += 1;
    } else if (at(i + 1, j) >= at(i, j + 1)) i += 1;
    else j += 1;
  }
  return mask;
}

function cap(lines: DiffLine[]): DiffLine[] {
  if (lines.length <= MAX_LINES) return lines;
  const rest = lines.length - MAX_LINES;
  return [
    ...lines.slice(0, MAX_LINES),
    { text: `… ${rest} more line${rest === 1 ? '' : 's'}`, depth: 0, path: '', changed: false },
  ];
}

/** Parses a body excerpt as JSON, or undefined when it is not (or was cut). */
export function parseJsonBody(text: string): { value: unknown } | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[[{"\d\-tfn]/.test(trimmed)) return undefined;
  try {
    return { value: JSON.parse(trimmed) as unknown };
  } catch {
    return undefined;
  }
}
