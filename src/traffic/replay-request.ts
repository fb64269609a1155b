/**
 * From a recorded exchange to the request the target gets — or the reason it gets none. Pure.
 *
 * Skipped (never sent): routes matching `exclude`; exchanges the upstream did not answer when
 * recorded; unsafe methods (anything but GET, HEAD, OPTIONS, TRACE) unless the route's policy is
 * `send` — and never to a protected environment; requests whose body was cut at the capture cap.
 *
 * Rewritten: `Host` becomes the target's; hop-by-hop headers, `content-length` and the encodings
 * go (bodies were recorded decoded, and the answer is asked for without compression); redaction
 * tokens become staging credentials (see {@link CredentialRules}).
 */
import type { CaptureRecord } from './capture-format.js';
import { TOKEN_PREFIX } from './redact-token.js';
import { firstMatchingPattern, type RouteMatcher } from './route-template.js';

/** Methods replayed without a second thought: they do not change the target's state. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Staging credentials for recorded (redacted) ones. `tokens`: a redaction token → the value sent
 * in its place, wherever it appears (header, cookie, query, body). `headers`: a header name → the
 * value sent for requests that carry that header and still hold a redaction token in it after
 * the token rules (a fallback: one staging credential for everyone).
 */
export interface CredentialRules {
  readonly tokens: ReadonlyMap<string, string>;
  readonly headers: ReadonlyMap<string, string>;
}

/** How requests are chosen and rewritten. */
export interface ReplayPolicy {
  readonly exclude: readonly RouteMatcher[];
  /** The unsafe-method policy for routes no rule names. */
  readonly unsafeDefault: 'skip' | 'send';
  readonly unsafeRoutes: readonly {
    readonly match: RouteMatcher;
    readonly value: 'skip' | 'send';
  }[];
  /** A protected target never gets an unsafe method, whatever the policy. */
  readonly targetProtected: boolean;
  /** `host[:port]` of the target. */
  readonly targetHost: string;
  readonly credentials: CredentialRules;
}

/** A request ready to send: headers as a flat name/value list, as HTTP clients take them. */
export interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: readonly string[];
  readonly body?: Buffer;
  /** True when a redaction token is still in a header: no credential rule mapped it. */
  readonly unmappedToken: boolean;
}

const dropped = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'content-encoding',
  'accept-encoding',
  'http2-settings',
]);

/** Why `record` is not sent, or undefined when it is. */
export function skipReason(record: CaptureRecord, policy: ReplayPolicy): string | undefined {
  const { method, url } = record.request;
  if (policy.exclude.some((match) => match(method, url))) return 'excluded route';
  if (record.response === undefined) return 'not answered when recorded';
  const upper = method.toUpperCase();
  if (!SAFE_METHODS.has(upper)) {
    if (policy.targetProtected) return `unsafe method ${upper}: the target is protected`;
    const rule = firstMatchingPattern(policy.unsafeRoutes, method, url) ?? policy.unsafeDefault;
    if (rule === 'skip') return `unsafe method ${upper} (policy: skip)`;
  }
  if (record.request.body?.truncated === true) return 'request body cut at the capture cap';
  return undefined;
}

/** The request the target gets for `record`. */
export function buildRequest(record: CaptureRecord, policy: ReplayPolicy): OutgoingRequest {
  const { tokens, headers: headerRules } = policy.credentials;
  const mapTokens = (text: string): string => {
    if (tokens.size === 0 || !text.includes(TOKEN_PREFIX)) return text;
    let out = text;
    for (const [token, value] of tokens)
      if (out.includes(token)) out = out.split(token).join(value);
    return out;
  };
  const headers: string[] = ['host', policy.targetHost];
  let unmappedToken = false;
  for (const [name, value] of record.request.headers) {
    if (dropped.has(name)) continue;
    let sent = mapTokens(value);
    if (sent.includes(TOKEN_PREFIX)) {
      const fallback = headerRules.get(name);
      if (fallback !== undefined) sent = fallback;
      else unmappedToken = true;
    }
    headers.push(name, sent);
  }
  const recorded = record.request.body;
  let body: Buffer | undefined;
  if (recorded !== undefined && recorded.data !== '')
    body =
      recorded.encoding === 'utf8'
        ? Buffer.from(mapTokens(recorded.data), 'utf8')
        : Buffer.from(recorded.data, 'base64');
  return {
    method: record.request.method.toUpperCase(),
    path: mapTokens(pathAndQuery(record.request.url)),
    headers,
    ...(body === undefined ? {} : { body }),
    unmappedToken,
  };
}

/** The path and query of a recorded URL (absolute URLs, as some proxies record, lose their origin). */
function pathAndQuery(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url.startsWith('/') ? url : `/${url}`;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
