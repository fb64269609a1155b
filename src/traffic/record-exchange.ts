/**
 * One exchange as the proxy saw it (raw header lists, body copies, timings), and how it becomes
 * a capture record: headers filtered to the end-to-end ones, bodies decoded, the session named
 * by its token, everything redacted. Runs off the request path, in two steps: taking the bodies
 * (asynchronous only when they must be decoded), then assembling and redacting (synchronous).
 */
import type { CaptureRecord } from './capture-format.js';
import { endToEndHeaders, toHeaderList } from './proxy-headers.js';
import { capturedBody, takeBody, type BodyBytes, type BodyCopy } from './record-body.js';
import { redactionToken, type Redactor } from './redact.js';
import { tokenKind } from './redact-context.js';

/** What the request path hands over when an exchange ends. */
export interface RawExchange {
  /** Epoch milliseconds at the request's start. */
  readonly startedAt: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** The client's headers, flat `[name, value, …]` as `rawHeaders` gives them. */
  readonly requestHeaders: readonly string[];
  readonly requestBody?: BodyCopy;
  /** The raw session key (a header or cookie value, or the client address): a secret until tokenized. */
  readonly sessionKey: string;
  readonly status?: number;
  readonly statusText?: string;
  readonly responseHeaders?: readonly string[];
  readonly responseBody?: BodyCopy;
  readonly ttfbMs?: number;
  readonly durationMs: number;
  readonly error?: string;
}

/** The two bodies, taken and decoded. */
export interface ExchangeBodies {
  readonly request?: BodyBytes;
  readonly response?: BodyBytes;
}

/** How records are built. */
export interface BuildOptions {
  readonly maxBodyBytes: number;
  readonly redact: Redactor;
  /** The session's token, from its raw key. */
  sessionToken(key: string): string;
}

function header(raw: readonly string[] | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

function take(
  copy: BodyCopy | undefined,
  headers: readonly string[] | undefined,
  cap: number,
): BodyBytes | Promise<BodyBytes> | undefined {
  if (copy === undefined) return undefined;
  if (copy.size === 0) {
    copy.release();
    return undefined;
  }
  return takeBody(copy, header(headers, 'content-encoding'), cap);
}

/** Takes the exchange's body copies (giving their memory back); a promise only when one must be decoded. */
export function takeBodies(
  raw: RawExchange,
  cap: number,
): ExchangeBodies | Promise<ExchangeBodies> {
  const request = take(raw.requestBody, raw.requestHeaders, cap);
  const response = take(raw.responseBody, raw.responseHeaders, cap);
  if (request instanceof Promise || response instanceof Promise)
    return Promise.all([request, response]).then(([req, res]) => ({ request: req, response: res }));
  return { request, response };
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Assembles the redacted record of an exchange; `id` is unique within the capture. */
export function assembleRecord(
  raw: RawExchange,
  bodies: ExchangeBodies,
  id: string,
  options: BuildOptions,
): CaptureRecord {
  const requestBody =
    bodies.request && capturedBody(bodies.request, header(raw.requestHeaders, 'content-type'));
  const responseBody =
    bodies.response && capturedBody(bodies.response, header(raw.responseHeaders, 'content-type'));
  const record: CaptureRecord = {
    type: 'exchange',
    id,
    session: options.sessionToken(raw.sessionKey),
    startedAt: new Date(raw.startedAt).toISOString(),
    durationMs: round(raw.durationMs),
    ...(raw.ttfbMs === undefined ? {} : { ttfbMs: round(raw.ttfbMs) }),
    request: {
      method: raw.method,
      url: raw.url,
      httpVersion: raw.httpVersion,
      headers: toHeaderList(endToEndHeaders(raw.requestHeaders)),
      ...(requestBody === undefined ? {} : { body: requestBody }),
    },
    ...(raw.status === undefined
      ? {}
      : {
          response: {
            status: raw.status,
            ...(raw.statusText === undefined || raw.statusText === ''
              ? {}
              : { statusText: raw.statusText }),
            headers: toHeaderList(endToEndHeaders(raw.responseHeaders ?? [])),
            ...(responseBody === undefined ? {} : { body: responseBody }),
          },
        }),
    ...(raw.error === undefined ? {} : { error: raw.error }),
    redactions: [],
  };
  return options.redact(record);
}

/** Session tokens from raw session keys, computed once per session (every request repeats them). */
export function sessionTokenizer(key: Buffer): (raw: string) => string {
  const sessions = new Map<string, string>();
  return (raw) => {
    let token = sessions.get(raw);
    if (token === undefined) {
      token = redactionToken(key, tokenKind(raw), raw);
      if (sessions.size >= 10_000) sessions.clear();
      sessions.set(raw, token);
    }
    return token;
  };
}
