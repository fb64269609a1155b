/**
 * Redaction of header lists. Credentials keep their shape so a replay can put staging ones in
 * their place: `Authorization: Bearer <token>` keeps its scheme, every cookie keeps its name and
 * `Set-Cookie` its attributes; URLs in `Referer` and `Location` are redacted as URLs.
 */
import type { HeaderList } from './capture-format.js';
import { isSecretName, tokenize, type RedactContext } from './redact-context.js';
import { redactUrl, type NameSet } from './redact-params.js';
import { redactText } from './redact-text.js';

/** What the configuration adds: exact header names and query parameter names, lower-case. */
export interface HeaderRules {
  readonly headers: NameSet;
  readonly query: NameSet;
}

const credentialHeaders = new Set(['authorization', 'proxy-authorization']);
const urlHeaders = new Set(['referer', 'location', 'content-location']);

/**
 * Header names whose whole value is a secret: secret-sounding names (`x-api-key`, `api-key`,
 * `x-auth-token`, `x-csrf-token`, `x-amz-security-token`, …) and names ending in `-key`, `-auth`,
 * `-session` or `-sid` (`x-functions-key`, `ocp-apim-subscription-key`).
 */
export function isSecretHeader(name: string): boolean {
  return isSecretName(name) || /(?:^|-)(?:key|auth|session|session-id|sid)$/.test(name);
}

/** `Bearer abc` → `Bearer <token>`; a value without a scheme becomes one token. */
function redactCredentials(value: string, ctx: RedactContext): string {
  const m = /^([A-Za-z][\w!#$%&'*+.^`|~-]*)(\s+)(\S[\s\S]*)$/.exec(value);
  if (m === null) return tokenize(value.trim(), ctx);
  return `${m[1]}${m[2]}${tokenize(m[3]!.trim(), ctx)}`;
}

/** `a=1; b=2` → each value a token, names kept. */
function redactCookies(value: string, ctx: RedactContext, prefix: string): string {
  return value
    .split(';')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = part.slice(0, eq).trim();
      const cookie = part.slice(eq + 1).trim();
      const token = tokenize(cookie.replace(/^"(.*)"$/, '$1'), ctx);
      if (token === cookie) return part;
      ctx.note(`${prefix}cookie:${name}`, 'default:cookie');
      return `${part.slice(0, eq + 1)}${token}`;
    })
    .join(';');
}

/** `sid=abc; Path=/; HttpOnly` → the value a token, the attributes kept. */
function redactSetCookie(value: string, ctx: RedactContext, prefix: string): string {
  const semi = value.indexOf(';');
  const first = semi < 0 ? value : value.slice(0, semi);
  const eq = first.indexOf('=');
  if (eq < 0) return value;
  const name = first.slice(0, eq).trim();
  const cookie = first.slice(eq + 1).trim();
  const token = tokenize(cookie.replace(/^"(.*)"$/, '$1'), ctx);
  if (token === cookie) return value;
  ctx.note(`${prefix}cookie:${name}`, 'default:set-cookie');
  return `${first.slice(0, eq + 1)}${token}${semi < 0 ? '' : value.slice(semi)}`;
}

/**
 * Redacts a header list: `side` is `request` (reported as `header:NAME`, `cookie:NAME`) or
 * `response` (`response.header:NAME`, `response.cookie:NAME`).
 */
export function redactHeaders(
  headers: HeaderList,
  ctx: RedactContext,
  side: 'request' | 'response',
  rules: HeaderRules,
): HeaderList {
  const prefix = side === 'response' ? 'response.' : '';
  let changed = false;
  const out = headers.map(([original, value]): readonly [string, string] => {
    const name = original.toLowerCase();
    const where = `${prefix}header:${name}`;
    let redacted: string;
    if (name === 'cookie') {
      redacted = redactCookies(value, ctx, prefix);
    } else if (name === 'set-cookie') {
      redacted = redactSetCookie(value, ctx, prefix);
    } else if (rules.headers.has(name)) {
      redacted = credentialHeaders.has(name) ? redactCredentials(value, ctx) : tokenize(value, ctx);
      if (redacted !== value) ctx.note(where, 'config:header');
    } else if (credentialHeaders.has(name)) {
      redacted = redactCredentials(value, ctx);
      if (redacted !== value) ctx.note(where, 'default:authorization');
    } else if (isSecretHeader(name)) {
      redacted = tokenize(value, ctx);
      if (redacted !== value) ctx.note(where, 'default:secret-header');
    } else if (urlHeaders.has(name)) {
      redacted = redactUrl(value, ctx, rules.query, where);
    } else {
      redacted = redactText(value, ctx, where);
    }
    if (redacted === value) return [original, value];
    changed = true;
    return [original, redacted];
  });
  return changed ? out : headers;
}
