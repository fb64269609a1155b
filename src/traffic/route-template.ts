/**
 * Route templates and route patterns. Replay groups requests by template (`GET /users/{id}/orders`
 * for `/users/123/orders?page=2`): latency, noise learned from the baseline and the report are all
 * per template. Patterns (`POST /api/cart/**`, the grammar of `route-match.ts`) choose which
 * routes are excluded or may send unsafe methods. Both look at whole segments, never substrings.
 */
import { isToken } from './redact-token.js';
import { compileRoute } from './route-match.js';

/** A path segment that names one thing rather than a route: numbers, UUIDs, hex, tokens. */
const idLikeSegment = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // Hex of at least 8 characters with a digit (commit hashes, object ids), not a word like "deadbeef".
  /^(?=[a-f]*\d)[0-9a-f]{8,}$/i,
  // Long mixed tokens (redaction tokens, slugs with ids): 16+ characters holding letters and digits.
  /^(?=.*\d)(?=.*[A-Za-z])[\w.~-]{16,}$/,
];

/** Whether a path segment looks like an identifier rather than part of the route. */
export function isIdLikeSegment(segment: string): boolean {
  return isToken(segment) || idLikeSegment.some((re) => re.test(segment));
}

/** The path of a request URL without its query or fragment. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (/^https?:\/\//i.test(path)) return new URL(path).pathname;
  return path === '' ? '/' : path;
}

/** `GET /users/{id}/orders` for `GET /users/123/orders?page=2`: id-like segments become `{id}`. */
export function routeTemplate(method: string, url: string): string {
  const segments = pathOf(url)
    .split('/')
    .map((s) => (s !== '' && isIdLikeSegment(safeDecode(s)) ? '{id}' : s));
  return `${method.toUpperCase()} ${segments.join('/')}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A compiled route pattern: whether a request (method and URL, query included) is one of its routes. */
export type RouteMatcher = (method: string, url: string) => boolean;

/**
 * Compiles a route pattern in the grammar `traffic.record.routes` uses (`POST /api/cart/**`,
 * `GET,HEAD /items/*`, `/health`), where a `{name}` segment — as route templates print them —
 * stands for one segment, so `POST /users/{id}/orders` can be copied from a report.
 */
export function compileRoutePattern(pattern: string): RouteMatcher {
  const match = compileRoute(pattern.replace(/(?<=\/)\{[^/{}]*\}(?=\/|\s*$)/g, '*'));
  return (method, url) => match(method, pathOf(url));
}

/** The value of the first rule (in order) whose pattern matches a request, or undefined. */
export function firstMatchingPattern<T>(
  rules: readonly { readonly match: RouteMatcher; readonly value: T }[],
  method: string,
  url: string,
): T | undefined {
  for (const rule of rules) if (rule.match(method, url)) return rule.value;
  return undefined;
}
