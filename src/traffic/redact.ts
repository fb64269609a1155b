/**
 * Redaction at capture: every record passes through here before anything reaches the disk. On
 * by default — credentials in Authorization, Proxy-Authorization, Cookie, Set-Cookie and API-key
 * headers, JWTs anywhere, secret-sounding fields in JSON, form and query, payment card numbers
 * (Luhn-valid) and e-mail addresses — plus the configured exact header names, query parameters
 * and JSON paths. Values become keyed tokens (see redact-token.ts); each record lists what was
 * redacted where, never the values.
 *
 * Report entries (`Redaction.where`): `header:NAME`, `cookie:NAME`, `path`, `query:NAME`,
 * `fragment:NAME`, `body:$.json.path`, `form:NAME`, `body:text`, `error` for the request; the
 * same prefixed `response.` for the response (`response.cookie:sid`). Rules are `default:…`
 * (authorization, cookie, set-cookie, secret-header, secret-field, jwt, api-key, email, card) or
 * `config:header`, `config:query`, `config:json`.
 */
import { parseJsonPath } from '../data/maskers/mask-json.js';
import { UnderstudyError } from '../shared/errors.js';
import type {
  CaptureRecord,
  CapturedRequest,
  CapturedResponse,
  HeaderList,
} from './capture-format.js';
import { redactBody, type BodyRules } from './redact-body.js';
import { createRedactContext, type RedactContext, type TokenCache } from './redact-context.js';
import { redactHeaders, type HeaderRules } from './redact-headers.js';
import type { JsonPathSteps } from './redact-json.js';
import { redactUrl } from './redact-params.js';
import { redactText } from './redact-text.js';

export { redactionToken, isToken, type TokenKind } from './redact-token.js';

/** What a redactor is built from. */
export interface RedactorOptions {
  /** The redaction key: equal values give equal tokens under one key, unrelated ones under another. */
  readonly key: Buffer;
  /** Extra header names whose values are redacted whole (case-insensitive). */
  readonly headers?: readonly string[];
  /** Extra query (and form) parameter names whose values are redacted (case-insensitive). */
  readonly query?: readonly string[];
  /** Extra JSON paths (`$.user.ssn`, `$.items[*].card`) redacted in request and response bodies. */
  readonly json?: readonly string[];
}

/** Redacts one record; pure: the same record and key always give the same result (a cache of tokens aside). */
export type Redactor = (record: CaptureRecord) => CaptureRecord;

function headerValue(headers: HeaderList, name: string): string | undefined {
  for (const [n, v] of headers) if (n.toLowerCase() === name) return v;
  return undefined;
}

/** The rules compiled once per redactor, and the token cache they share. */
interface CompiledRules {
  readonly key: Buffer;
  readonly headers: HeaderRules;
  readonly body: BodyRules;
  readonly query: ReadonlySet<string>;
  readonly cache: TokenCache;
}

/** Compiles the options; an invalid JSON path is a configuration error. */
function compileRules(options: RedactorOptions): CompiledRules {
  if (options.key.length === 0) throw new UnderstudyError('E_CONFIG', 'the redaction key is empty');
  const json: JsonPathSteps[] = (options.json ?? []).map((path) => {
    const steps = parseJsonPath(path);
    if (steps === undefined)
      throw new UnderstudyError('E_CONFIG', `not a JSON path Understudy understands: ${path}`, {
        hint: "write paths like $.user.ssn, $.items[*].card or $['odd key']",
      });
    return steps;
  });
  const query = new Set((options.query ?? []).map((n) => n.toLowerCase()));
  return {
    key: options.key,
    headers: { headers: new Set((options.headers ?? []).map((n) => n.toLowerCase())), query },
    body: { json, query },
    query,
    cache: new Map(),
  };
}

function redactResponse<T extends Pick<CapturedResponse, 'headers' | 'body'>>(
  res: T,
  ctx: RedactContext,
  rules: CompiledRules,
): T {
  return {
    ...res,
    headers: redactHeaders(res.headers, ctx, 'response', rules.headers),
    ...(res.body === undefined
      ? {}
      : {
          body: redactBody(
            res.body,
            headerValue(res.headers, 'content-type'),
            ctx,
            'response',
            rules.body,
          ),
        }),
  };
}

/** Builds the redactor; an invalid JSON path is a configuration error. */
export function createRedactor(options: RedactorOptions): Redactor {
  const rules = compileRules(options);
  return (record) => {
    const ctx = createRedactContext(rules.key, rules.cache);
    const req = record.request;
    const request: CapturedRequest = {
      ...req,
      url: redactUrl(req.url, ctx, rules.query),
      headers: redactHeaders(req.headers, ctx, 'request', rules.headers),
      ...(req.body === undefined
        ? {}
        : {
            body: redactBody(
              req.body,
              headerValue(req.headers, 'content-type'),
              ctx,
              'request',
              rules.body,
            ),
          }),
    };
    const response =
      record.response === undefined ? undefined : redactResponse(record.response, ctx, rules);
    const error = record.error === undefined ? undefined : redactText(record.error, ctx, 'error');
    return {
      ...record,
      request,
      ...(response === undefined ? {} : { response }),
      ...(error === undefined ? {} : { error }),
      redactions: mergeRedactions(record.redactions, ctx.list()),
    };
  };
}

/**
 * Redacts an answer the way the recorder redacted the recorded one: the replayer runs the
 * target's (and the baseline's) answers through it before comparing, so equal values meet as
 * equal tokens and no staging credential reaches a report.
 */
export function createResponseRedactor(
  options: RedactorOptions,
): <T extends Pick<CapturedResponse, 'headers' | 'body'>>(response: T) => T {
  const rules = compileRules(options);
  return (response) => redactResponse(response, createRedactContext(rules.key, rules.cache), rules);
}

/** Earlier entries (a record redacted before, as by an import) are kept and counted with the new. */
function mergeRedactions(
  earlier: CaptureRecord['redactions'],
  added: CaptureRecord['redactions'],
): CaptureRecord['redactions'] {
  if (earlier.length === 0) return added;
  const all = new Map<string, { where: string; rule: string; count: number }>();
  for (const r of [...earlier, ...added]) {
    const id = `${r.where}\u0000${r.rule}`;
    const seen = all.get(id);
    if (seen === undefined) all.set(id, { ...r });
    else seen.count += r.count;
  }
  return [...all.values()];
}
