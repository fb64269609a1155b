/**
 * Which headers a reverse proxy passes on. Hop-by-hop headers (RFC 9110 §7.6.1: Connection,
 * Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade, and any header the Connection
 * header names) belong to one connection and are dropped; everything else goes through as sent.
 * The request gains X-Forwarded-For/-Proto/-Host as proxies add them.
 */

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Header names a Connection header lists (lower-case), besides the fixed hop-by-hop ones. */
function connectionNamed(raw: readonly string[]): Set<string> | undefined {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive') (named ??= new Set()).add(name);
    }
  }
  return named;
}

/**
 * Keeps the end-to-end headers of a flat `[name, value, …]` list (as `rawHeaders` gives them),
 * also dropping `drop` (lower-case names the proxy sets itself).
 */
export function endToEndHeaders(raw: readonly string[], drop?: ReadonlySet<string>): string[] {
  const named = connectionNamed(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || named?.has(lower) || drop?.has(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  return out;
}

// `expect: 100-continue` is answered by the proxy's own server, not forwarded; `host` is set to
// the upstream's (as nginx does), the client's stays in X-Forwarded-Host.
const setByProxy = new Set(['host', 'expect', 'x-forwarded-for']);

/** What the proxy knows about one request beyond its headers. */
export interface ForwardedFor {
  /** The client's address as the proxy's socket sees it. */
  readonly client: string;
  /** `https` when the proxy terminated TLS. */
  readonly proto: 'http' | 'https';
  /** The upstream's `host[:port]`. */
  readonly upstreamHost: string;
}

/**
 * The request headers sent upstream: end-to-end headers as the client sent them, `Host` of the
 * upstream, the client appended to X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host added
 * unless a proxy in front already set them.
 */
export function upstreamRequestHeaders(raw: readonly string[], via: ForwardedFor): string[] {
  const out = endToEndHeaders(raw, setByProxy);
  let forwardedFor: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (lower === 'x-forwarded-for')
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    else if (lower === 'host') host ??= value;
    else if (lower === 'x-forwarded-proto') hasProto = true;
    else if (lower === 'x-forwarded-host') hasHost = true;
  }
  out.push('host', via.upstreamHost);
  out.push(
    'x-forwarded-for',
    forwardedFor === undefined ? via.client : `${forwardedFor}, ${via.client}`,
  );
  if (!hasProto) out.push('x-forwarded-proto', via.proto);
  if (!hasHost && host !== undefined) out.push('x-forwarded-host', host);
  return out;
}

/** The client's address for sessions: the first X-Forwarded-For entry (a load balancer in front), else the socket's. */
export function clientAddress(raw: readonly string[], socketAddress: string | undefined): string {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'x-forwarded-for') {
      const first = raw[i + 1]!.split(',')[0]!.trim();
      if (first !== '') return first;
    }
  }
  return plainAddress(socketAddress);
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** A flat `[name, value, …]` list as recorded: lower-case names, in order. */
export function toHeaderList(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return out;
}
