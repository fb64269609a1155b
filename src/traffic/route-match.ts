/**
 * Route patterns, as `traffic.record.routes` and replay policies write them: an optional method
 * (or several, `GET,HEAD`), then a path where `*` is one segment (or part of one: `*.json`), so
 * is `{name}`, and `**` any number of segments, none included: `GET /api/**`, `/health`,
 * `POST /orders/*`, `GET /users/{id}/orders`.
 */
import { UnderstudyError } from '../shared/errors.js';

/** Whether a request (method and path, without the query) matches. */
export type RouteMatcher = (method: string, path: string) => boolean;

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles one pattern; a pattern that does not start with `/` (after the method) is refused. */
export function compileRoute(pattern: string): RouteMatcher {
  const m = /^\s*(?:([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*|\*)\s+)?(\/\S*)\s*$/.exec(pattern);
  if (m === null)
    throw new UnderstudyError('E_CONFIG', `not a route pattern: "${pattern}"`, {
      hint: 'write routes like "GET /api/**", "/health" or "POST /orders/*"',
    });
  const methods =
    m[1] === undefined || m[1] === '*'
      ? undefined
      : new Set(m[1].split(',').map((x) => x.trim().toUpperCase()));
  const segments = m[2]!.split('/').slice(1);
  let source = '';
  for (const segment of segments) {
    if (segment === '**') source += '(?:/[^/]*)*';
    // `{id}`, as route templates print a variable segment, is one whole segment.
    else if (/^\{[^/{}]*\}$/.test(segment)) source += '/[^/]+';
    else source += `/${segment.split('*').map(escape).join('[^/]*')}`;
  }
  const path = new RegExp(`^${source}/?$`);
  return (method, requestPath) =>
    (methods === undefined || methods.has(method.toUpperCase())) && path.test(requestPath);
}

/**
 * The filter of `routes: { include, exclude }`: with includes, only requests matching one are
 * kept; a request matching an exclude is never kept.
 */
export function compileRouteFilter(routes: {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}): RouteMatcher {
  const include = (routes.include ?? []).map(compileRoute);
  const exclude = (routes.exclude ?? []).map(compileRoute);
  if (include.length === 0 && exclude.length === 0) return () => true;
  return (method, path) =>
    (include.length === 0 || include.some((match) => match(method, path))) &&
    !exclude.some((match) => match(method, path));
}
