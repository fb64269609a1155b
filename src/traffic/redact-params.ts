/**
 * Redaction of `name=value&…` lists (query strings and form bodies) and of URLs. Values are
 * decoded before they are searched, so `alice%40example.com` is found as the e-mail it is, and
 * only the pairs that change are encoded again: the rest of the URL stays exactly as sent.
 */
import { isSecretName, tokenize, type RedactContext } from './redact-context.js';
import { redactText } from './redact-text.js';

/** Names (lower-case) the configuration says are secret. */
export type NameSet = ReadonlySet<string>;

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Redacts `a=1&password=x&email=alice%40example.com`: values of secret-sounding or configured
 * names become tokens, every other name and value is searched; `whereOf(name)` names the report
 * entry (`query:password`, `form:password`).
 */
export function redactParams(
  raw: string,
  ctx: RedactContext,
  configured: NameSet,
  configRule: string,
  whereOf: (name: string) => string,
): string {
  if (raw === '') return raw;
  let changed = false;
  const pairs = raw.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decode(rawName);
    const shownName = redactText(name, ctx, () => whereOf('<name>'));
    const outName = shownName === name ? rawName : encodeURIComponent(shownName);
    if (eq < 0) {
      if (outName !== rawName) changed = true;
      return outName;
    }
    const rawValue = pair.slice(eq + 1);
    const value = decode(rawValue);
    let out: string;
    if (configured.has(name.toLowerCase()) || isSecretName(name)) {
      out = tokenize(value, ctx);
      if (out !== value)
        ctx.note(
          whereOf(shownName),
          configured.has(name.toLowerCase()) ? configRule : 'default:secret-field',
        );
    } else {
      out = redactText(value, ctx, () => whereOf(shownName));
    }
    if (out === value && outName === rawName) return pair;
    changed = true;
    return `${outName}=${out === value ? rawValue : encodeURIComponent(out)}`;
  });
  return changed ? pairs.join('&') : raw;
}

const urlParts = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/is;

/**
 * Redacts a URL or a path with its query: path segments are searched (`/users/alice@example.com`),
 * the query and a `#fragment` of pairs (where OAuth puts access tokens) as parameters. With
 * `where`, every entry is reported there (`header:referer`); else as `path` and `query:NAME`.
 */
export function redactUrl(
  url: string,
  ctx: RedactContext,
  configured: NameSet,
  where?: string,
): string {
  const m = urlParts.exec(url);
  if (m === null) return redactText(url, ctx, where ?? 'path');
  const [, origin = '', path = '', query, fragment] = m;
  const at = (name: string): string => where ?? `query:${name}`;
  let outPath = path;
  if (/[@.\-_%\d]/.test(path) && path.length >= 6) {
    outPath = path
      .split('/')
      .map((segment) => {
        const decoded = decode(segment.replace(/\+/g, '%2B'));
        const redacted = redactText(decoded, ctx, where ?? 'path');
        return redacted === decoded ? segment : encodeURIComponent(redacted);
      })
      .join('/');
  }
  const outQuery =
    query === undefined ? '' : `?${redactParams(query, ctx, configured, 'config:query', at)}`;
  let outFragment = '';
  if (fragment !== undefined) {
    if (fragment.includes('=')) {
      const fragmentAt = (name: string): string => where ?? `fragment:${name}`;
      outFragment = `#${redactParams(fragment, ctx, configured, 'config:query', fragmentAt)}`;
    } else {
      const decoded = decode(fragment);
      const redacted = redactText(decoded, ctx, where ?? 'fragment');
      outFragment = `#${redacted === decoded ? fragment : encodeURIComponent(redacted)}`;
    }
  }
  return `${origin}${outPath}${outQuery}${outFragment}`;
}
