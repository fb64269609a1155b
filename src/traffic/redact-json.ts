/**
 * Redaction inside JSON bodies, done on the text: values are replaced where they stand, so
 * everything else (spacing, key order, large numbers) stays byte for byte as the service sent
 * it. Values under a secret-sounding key and at configured JSON paths become tokens; every
 * other string (and object key) is searched for JWTs, e-mails and card numbers.
 */
import { isPaymentCard } from '../data/scan-values.js';
import type { parseJsonPath } from '../data/maskers/mask-json.js';
import { isSecretName, tokenize, type RedactContext } from './redact-context.js';
import { redactText } from './redact-text.js';

/** A parsed JSON path, as `parseJsonPath` returns it. */
export type JsonPathSteps = NonNullable<ReturnType<typeof parseJsonPath>>;

type Segment = string | number;

const maxDepth = 512;

class NotJson extends Error {}

/** Whether the configured path `steps` is a prefix of `path` (a match covers what is below it). */
function covers(steps: JsonPathSteps, path: readonly Segment[]): boolean {
  if (steps.length > path.length) return false;
  return steps.every((step, i) => {
    const segment = path[i];
    if ('any' in step) return true;
    if ('key' in step) return segment === step.key;
    return segment === step.index;
  });
}

function formatPath(path: readonly Segment[]): string {
  let text = '$';
  for (const s of path) {
    if (typeof s === 'number') text += '[*]';
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) text += `.${s}`;
    else text += `['${s.replace(/'/g, "\\'")}']`;
  }
  return text;
}

class JsonRedactor {
  private i = 0;
  private copied = 0;
  private readonly out: string[] = [];
  /** The path as written (for configured paths) and as shown (keys redacted, for reports). */
  private readonly path: Segment[] = [];
  private readonly shown: Segment[] = [];

  constructor(
    private readonly s: string,
    private readonly ctx: RedactContext,
    private readonly where: string,
    private readonly paths: readonly JsonPathSteps[],
  ) {}

  run(): string {
    this.value(false, 0);
    this.space();
    if (this.i !== this.s.length) throw new NotJson();
    if (this.copied === 0) return this.s;
    this.out.push(this.s.slice(this.copied));
    return this.out.join('');
  }

  private replace(start: number, end: number, text: string): void {
    this.out.push(this.s.slice(this.copied, start), text);
    this.copied = end;
  }

  private at = (): string => `${this.where}:${formatPath(this.shown)}`;

  private value(secret: boolean, depth: number): void {
    if (depth > maxDepth) throw new NotJson();
    this.space();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      if (this.peek() === '}') {
        this.i++;
        return;
      }
      do {
        this.space();
        const start = this.i;
        const key = this.string();
        const shownKey = redactText(key, this.ctx, () => `${this.at()}.<key>`);
        if (shownKey !== key) this.replace(start, this.i, JSON.stringify(shownKey));
        if (this.peek() !== ':') throw new NotJson();
        this.i++;
        this.path.push(key);
        this.shown.push(shownKey);
        this.value(secret || isSecretName(key), depth + 1);
        this.path.pop();
        this.shown.pop();
      } while (this.comma('}'));
      return;
    }
    if (c === '[') {
      this.i++;
      if (this.peek() === ']') {
        this.i++;
        return;
      }
      let index = 0;
      do {
        this.path.push(index);
        this.shown.push(index++);
        this.value(secret, depth + 1);
        this.path.pop();
        this.shown.pop();
      } while (this.comma(']'));
      return;
    }
    const start = this.i;
    if (c === '"') {
      const text = this.string();
      this.leaf(start, text, secret, true);
      return;
    }
    const literal = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    literal.lastIndex = this.i;
    const m = literal.exec(this.s);
    if (m === null) throw new NotJson();
    this.i = literal.lastIndex;
    if (m[0] !== 'true' && m[0] !== 'false' && m[0] !== 'null')
      this.leaf(start, m[0], secret, false);
  }

  /** A string or number value: a token when secret or configured, else searched. */
  private leaf(start: number, text: string, secret: boolean, isString: boolean): void {
    const configured =
      this.paths.length > 0 && this.paths.some((steps) => covers(steps, this.path));
    if (configured || secret) {
      const token = tokenize(text, this.ctx);
      if (token === text) return;
      this.ctx.note(this.at(), configured ? 'config:json' : 'default:secret-field');
      this.replace(start, this.i, JSON.stringify(token));
      return;
    }
    if (isString) {
      const redacted = redactText(text, this.ctx, this.at);
      if (redacted !== text) this.replace(start, this.i, JSON.stringify(redacted));
    } else if (/^\d{13,19}$/.test(text) && isPaymentCard(text)) {
      // A card number sent as a JSON number: the token is a string, so the type changes too.
      this.ctx.note(this.at(), 'default:card');
      this.replace(start, this.i, JSON.stringify(this.ctx.token(text)));
    }
  }

  private string(): string {
    const s = this.s;
    if (s.charCodeAt(this.i) !== 34) throw new NotJson();
    let end = this.i + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(end);
      if (c === 34) break;
      if (Number.isNaN(c)) throw new NotJson();
      if (c === 92) {
        escaped = true;
        end++;
      }
      end++;
    }
    const raw = s.slice(this.i, end + 1);
    this.i = end + 1;
    if (!escaped) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw new NotJson();
    }
  }

  private peek(): string | undefined {
    this.space();
    return this.s[this.i];
  }

  private comma(close: string): boolean {
    const c = this.peek();
    this.i++;
    if (c === ',') return true;
    if (c !== close) throw new NotJson();
    return false;
  }

  private space(): void {
    let c = this.s.charCodeAt(this.i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = this.s.charCodeAt(++this.i);
  }
}

/**
 * Redacts a JSON text; `where` is `body` or `response.body` (reports say `body:$.user.password`).
 * Returns undefined when the text is not JSON (then it is redacted as free text instead).
 */
export function redactJson(
  text: string,
  ctx: RedactContext,
  where: string,
  paths: readonly JsonPathSteps[],
): string | undefined {
  // Notes wait until the whole text parsed: a text found not to be JSON half-way is redone as
  // free text, and its redactions must be counted once.
  const notes: [string, string, number][] = [];
  const local: RedactContext = {
    token: (value) => ctx.token(value),
    note: (at, rule, count = 1) => notes.push([at, rule, count]),
  };
  let result: string;
  try {
    result = new JsonRedactor(text, local, where, paths).run();
  } catch (error) {
    if (error instanceof NotJson) return undefined;
    throw error;
  }
  for (const [at, rule, count] of notes) ctx.note(at, rule, count);
  return result;
}
