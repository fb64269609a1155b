/**
 * JSON paths as the response diff writes and the ignore rules read them: `$.items[3].price` for
 * one value, `$.items[*].price` for the same place in every item (the route-generalised form the
 * report groups by). Paths are lists of segments; matching compares segments, never substrings.
 */

/** One step into a JSON value: an object key or an array index. */
export type PathSegment = string | number;

/** One step of a parsed path pattern. */
export type PatternStep =
  | { readonly key: string }
  | { readonly index: number }
  | { readonly anyKey: true }
  | { readonly anyIndex: true };

const identifier = /^[A-Za-z_$][\w$-]*$/;

function keyStep(key: string): string {
  return identifier.test(key) ? `.${key}` : `['${key.replace(/'/g, "\\'")}']`;
}

/** `$.items[3].price` for `['items', 3, 'price']`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = '$';
  for (const s of segments) text += typeof s === 'number' ? `[${s}]` : keyStep(s);
  return text;
}

/** `$.items[*].price` for `['items', 3, 'price']`: every index becomes `[*]`. */
export function generalPath(segments: readonly PathSegment[]): string {
  let text = '$';
  for (const s of segments) text += typeof s === 'number' ? '[*]' : keyStep(s);
  return text;
}

/**
 * Parses `$.meta.generatedAt`, `$.items[*].etag`, `$['odd key']`, `$.*.id`; undefined when the
 * text is not such a path (the config schema checks the same grammar).
 */
export function parseJsonPath(text: string): PatternStep[] | undefined {
  if (!text.startsWith('$')) return undefined;
  const steps: PatternStep[] = [];
  const step = /\.([A-Za-z_$][\w$-]*)|\.\*|\[\*\]|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < text.length) {
    const at = step.lastIndex;
    const m = step.exec(text);
    if (m === null || m.index !== at) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3].replace(/\\(.)/g, '$1') });
    else if (m[0] === '.*') steps.push({ anyKey: true });
    else steps.push({ anyIndex: true });
  }
  return steps;
}

/**
 * Whether `segments` is the place `pattern` names or lies inside it: ignoring `$.meta` ignores
 * `$.meta.generatedAt` too, while `$.meta` never matches `$.metadata`.
 */
export function pathWithin(
  pattern: readonly PatternStep[],
  segments: readonly PathSegment[],
): boolean {
  if (pattern.length > segments.length) return false;
  for (let i = 0; i < pattern.length; i += 1) {
    const p = pattern[i];
    const s = segments[i];
    if (p === undefined || s === undefined) return false;
    if ('anyKey' in p) {
      if (typeof s !== 'string') return false;
    } else if ('anyIndex' in p) {
      if (typeof s !== 'number') return false;
    } else if ('key' in p) {
      if (s !== p.key) return false;
    } else if (s !== p.index) return false;
  }
  return true;
}

/**
 * Whether the generalised path `general` is `prefix` or lies inside it, comparing at segment
 * boundaries (`$.a` covers `$.a.b` and `$.a[*]`, not `$.ab`).
 */
export function generalWithin(prefix: string, general: string): boolean {
  if (general === prefix) return true;
  if (!general.startsWith(prefix)) return false;
  const next = general[prefix.length];
  return next === '.' || next === '[';
}
