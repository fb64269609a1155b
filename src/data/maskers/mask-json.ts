/**
 * The json masker: applies maskers at JSON paths (`$.a.b`, `$.items[*].email`, `$.*`,
 * `$['odd key']`, `$.list[0]`) inside a json/jsonb value. Numbers are kept as their source text,
 * so large integers elsewhere in the document survive unchanged (JSON.parse would round them).
 */
import type { TextMasker } from './masker-context.js';

/** A JSON number kept as written. */
class JsonNumber {
  constructor(readonly raw: string) {}
}
type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
interface JsonObject {
  readonly entries: [string, JsonValue][];
}

type Step = { readonly key: string } | { readonly index: number } | { readonly any: true };

/** Parses `$.a[*].b` into steps; undefined when the path is not one this masker understands. */
export function parseJsonPath(path: string): readonly Step[] | undefined {
  const steps: Step[] = [];
  const step = /\.([A-Za-z_$][\w$-]*)|\[\*\]|\.\*|\[(\d+)\]|\['([^']+)'\]/y;
  if (!path.startsWith('$')) return undefined;
  step.lastIndex = 1;
  while (step.lastIndex < path.length) {
    const m = step.exec(path);
    if (m === null) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else steps.push({ any: true });
  }
  return steps;
}

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  value(): JsonValue {
    this.space();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const entries: [string, JsonValue][] = [];
      if (this.peek() === '}') this.i++;
      else
        do {
          this.space();
          const key = this.string();
          if (this.peek() !== ':') this.fail();
          this.i++;
          entries.push([key, this.value()]);
        } while (this.comma('}'));
      return { entries };
    }
    if (c === '[') {
      this.i++;
      const items: JsonValue[] = [];
      if (this.peek() === ']') this.i++;
      else
        do items.push(this.value());
        while (this.comma(']'));
      return items;
    }
    if (c === '"') return this.string();
    const literal = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    literal.lastIndex = this.i;
    const m = literal.exec(this.s);
    if (m === null) this.fail();
    this.i = literal.lastIndex;
    const raw = m[0];
    return raw === 'true'
      ? true
      : raw === 'false'
        ? false
        : raw === 'null'
          ? null
          : new JsonNumber(raw);
  }

  string(): string {
    if (this.s[this.i] !== '"') this.fail();
    let end = this.i + 1;
    let escaped = false;
    while (end < this.s.length && this.s[end] !== '"') {
      if (this.s[end] === '\\') {
        escaped = true;
        end++;
      }
      end++;
    }
    if (end >= this.s.length) this.fail();
    const raw = this.s.slice(this.i, end + 1);
    this.i = end + 1;
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  peek(): string | undefined {
    this.space();
    return this.s[this.i];
  }

  comma(close: string): boolean {
    const c = this.peek();
    this.i++;
    if (c === ',') return true;
    if (c !== close) this.fail();
    return false;
  }

  space(): void {
    while (' \t\n\r'.includes(this.s[this.i] ?? '.')) this.i++;
  }

  fail(): never {
    throw new Error(`invalid JSON at character ${this.i}`);
  }
}

function parseJson(text: string): JsonValue {
  const p = new Parser(text);
  const v = p.value();
  p.space();
  if (p.i !== text.length) p.fail();
  return v;
}

function stringify(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.raw;
  if (Array.isArray(v)) return `[${v.map(stringify).join(', ')}]`;
  return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}: ${stringify(x)}`).join(', ')}}`;
}

const numberLike = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Masks a node: scalars through the masker; a whole object or array leaf by leaf (fail closed). */
function maskNode(v: JsonValue, mask: TextMasker): JsonValue {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return mask(v);
  if (v instanceof JsonNumber) {
    const out = mask(v.raw);
    return out === null ? null : numberLike.test(out) ? new JsonNumber(out) : out;
  }
  if (Array.isArray(v)) return v.map((x) => maskNode(x, mask));
  return { entries: v.entries.map(([k, x]) => [k, maskNode(x, mask)]) };
}

function applyAt(v: JsonValue, steps: readonly Step[], at: number, mask: TextMasker): JsonValue {
  if (at === steps.length) return maskNode(v, mask);
  const step = steps[at]!;
  if (Array.isArray(v)) {
    if ('key' in step) return v;
    return v.map((x, i) =>
      'any' in step || i === step.index ? applyAt(x, steps, at + 1, mask) : x,
    );
  }
  if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return v;
  if ('index' in step) return v;
  return {
    entries: v.entries.map(([k, x]) => [
      k,
      'any' in step || k === step.key ? applyAt(x, steps, at + 1, mask) : x,
    ]),
  };
}

/** A masker that parses the document once, applies each path's masker, and writes it back. */
export function createJsonMasker(
  paths: readonly { readonly steps: readonly Step[]; readonly mask: TextMasker }[],
): TextMasker {
  return (text) => {
    let doc = parseJson(text);
    for (const p of paths) doc = applyAt(doc, p.steps, 0, p.mask);
    return stringify(doc);
  };
}
