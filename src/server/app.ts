/**
 * `createApp(deps)`: the HTTP handler of `understudy serve`. For each request: match a route,
 * authenticate (a session cookie, or a bearer token), check the anti-forgery token on changes
 * made with a cookie, parse and validate the query and JSON body (400 with the path of the
 * problem), take a TOTP step-up when the body carries `totp`, run the handler, and answer JSON —
 * errors in the same `{error: {code, message, hint}}` shape as the CLI's `--json`. Everything
 * else is the dashboard's files. Every answer carries the security headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { checkCode, resolveIdentity, type Identity } from '../access/people.js';
import { sessionOf, type Session } from '../access/sessions.js';
import { isUnderstudyError, messageOf, UnderstudyError } from '../shared/errors.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import {
  clientAddress,
  sameText,
  SESSION_COOKIE,
  type AppDeps,
  type Method,
  type Route,
} from './route.js';
import { allRoutes } from './routes/index.js';
import { SignInLimit, limited } from './sign-in-limit.js';
import { dashboardDir, securityHeaders, serveStatic } from './static-files.js';

const maxBody = 1024 * 1024;

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export interface App {
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  readonly routes: readonly Route[];
  readonly metrics: ServerMetrics;
  readonly signInLimit: SignInLimit;
}

export interface AppOptions {
  /** Where the built dashboard is (default: dist/web beside this build). */
  readonly dashboardDir?: string;
  /** Log a line about a failure nobody expected (default: stderr). */
  readonly log?: (line: string) => void;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      const m = /^\{(.+)\}$/.exec(part);
      if (m === null) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(m[1] ?? '');
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** The request's URL; a target that is not one is bad input, never a crash. */
function parseUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://understudy.invalid');
  } catch {
    throw new UnderstudyError('E_INPUT', 'the request target is not a URL path');
  }
}

/** One path segment, percent-decoded; a malformed escape is bad input. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UnderstudyError('E_INPUT', `"${part}" is not a valid path segment`);
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Where a zod problem is, as a user reads it: `body.stages[0].env`. */
function issuePath(where: 'body' | 'query', issue: z.core.$ZodIssue): string {
  return [where, ...issue.path.map(String)].reduce((acc, key) =>
    /^\d+$/.test(key) ? `${acc}[${key}]` : `${acc}.${key}`,
  );
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody)
      throw Object.assign(
        new UnderstudyError('E_INPUT', `the request body is larger than ${maxBody} bytes`),
        { status: 413 },
      );
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
    throw new UnderstudyError('E_INPUT', 'the request body must be JSON', {
      hint: 'send Content-Type: application/json',
    });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw Object.assign(
      new UnderstudyError('E_INPUT', `the request body is not valid JSON: ${messageOf(error)}`),
      { path: 'body' },
    );
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined ? where : issuePath(where, issue);
  throw Object.assign(
    new UnderstudyError('E_INPUT', `${path}: ${issue?.message ?? 'does not fit'}`, {
      problems: result.error.issues.map((i) => ({ message: i.message, path: issuePath(where, i) })),
    }),
    { path },
  );
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (status === 204 || body === undefined) {
    response.writeHead(204, { 'cache-control': 'no-store', ...headers });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown, log: (line: string) => void): number {
  if (isUnderstudyError(error)) {
    const status =
      (error as { status?: number }).status ?? (error.httpStatus === 202 ? 409 : error.httpStatus);
    const path = (error as { path?: string }).path;
    const retryAfter = (error as { retryAfter?: number }).retryAfter;
    sendJson(
      response,
      status,
      { error: { ...error.toJSON(), ...(path === undefined ? {} : { path }) } },
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    );
    return status;
  }
  log(
    `understudy serve: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  sendJson(response, 500, {
    error: { code: 'E_INTERNAL', message: 'an unexpected failure; see the server log' },
  });
  return 500;
}

export function createApp(deps: AppDeps, options: AppOptions = {}): App {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const root = options.dashboardDir ?? dashboardDir;
  const routes = allRoutes();
  const compiled = routes.map(compile);
  const metrics = createMetrics(() => deps);
  const signInLimit = new SignInLimit();
  const codeLimit = new SignInLimit();
  const tokenLimit = new SignInLimit({ freePerName: Number.MAX_SAFE_INTEGER, freePerAddress: 20 });
  const services = { signInLimit, metrics, routes };

  async function authenticate(
    request: IncomingMessage,
  ): Promise<{ identity: Identity; session?: Session; token?: string }> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (m === null)
        throw new UnderstudyError('E_AUTH', 'the Authorization header must be "Bearer TOKEN"');
      const token = m[1] ?? '';
      const address = clientAddress(deps, request);
      limited(tokenLimit, '', address, 'too many unknown tokens from this address');
      try {
        return { identity: await resolveIdentity(deps.store, token, undefined, deps.now), token };
      } catch (error) {
        if (isUnderstudyError(error, 'E_INPUT')) tokenLimit.failed('', address);
        if (isUnderstudyError(error, 'E_INPUT'))
          throw new UnderstudyError(
            'E_AUTH',
            'the token is not one this server knows, or it was revoked',
          );
        throw error;
      }
    }
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id === undefined || id === '')
      throw new UnderstudyError('E_AUTH', 'not signed in', {
        hint: 'sign in, or send a token as Authorization: Bearer TOKEN',
      });
    const session = await sessionOf(deps.store, id, deps.now);
    return { identity: session.identity, session };
  }

  /**
   * A TOTP code makes the caller's identity a second-factor one. Wrong codes are counted per
   * person, like passwords, so a stolen cookie or token cannot try its way through the codes.
   */
  async function stepUp(
    caller: { identity: Identity; session?: Session; token?: string },
    totp: string,
    address: string,
  ): Promise<Identity> {
    if (caller.identity.kind !== 'person')
      throw new UnderstudyError('E_INPUT', 'a CI token has no second factor: leave out "totp"');
    const name = caller.identity.name;
    limited(codeLimit, name, address, 'too many wrong TOTP codes');
    try {
      if (caller.token !== undefined)
        return await resolveIdentity(deps.store, caller.token, totp, deps.now);
      await checkCode(deps.store, name, totp, deps.now);
    } catch (error) {
      if (isUnderstudyError(error, 'E_INPUT')) codeLimit.failed(name, address);
      throw error;
    }
    codeLimit.succeeded(name);
    return { ...caller.identity, secondFactor: true };
  }

  async function dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    match: CompiledRoute,
    params: Record<string, string>,
    url: URL,
  ): Promise<number> {
    const { route } = match;
    // Who calls, then (for a cookie session's change) the anti-forgery token, then the input —
    // parsed and validated once — then, when the body carries a code, the step-up.
    const caller = route.access === 'public' ? undefined : await authenticate(request);
    const session = caller?.session;
    if (session !== undefined && route.method !== 'GET') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameText(sent, session.csrfToken))
        throw new UnderstudyError('E_CSRF', 'the X-CSRF-Token header is missing or wrong', {
          hint: 'send the csrfToken of GET /api/v1/session with every change',
        });
    }
    const query =
      route.query === undefined
        ? undefined
        : validate(route.query, Object.fromEntries(url.searchParams), 'query');
    const body =
      route.body === undefined ? undefined : validate(route.body, await readBody(request), 'body');
    let identity = caller?.identity;
    const totp = (body as { totp?: unknown } | undefined)?.totp;
    if (caller !== undefined && typeof totp === 'string' && totp !== '')
      identity = await stepUp(caller, totp, clientAddress(deps, request));
    const result = await route.handle({
      deps,
      params,
      query,
      body,
      identity,
      session,
      request,
      response,
      services,
    });
    if ('streamed' in result) return 200;
    const status = result.status ?? (result.body === undefined ? 204 : 200);
    sendJson(response, status, result.body, result.headers);
    return status;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const started = process.hrtime.bigint();
    const secure =
      request.headers['x-forwarded-proto'] === 'https' ||
      (request.socket as { encrypted?: boolean }).encrypted === true;
    for (const [name, value] of Object.entries(securityHeaders(secure)))
      response.setHeader(name, value);
    const method = (request.method ?? 'GET').toUpperCase();
    let label = 'dashboard';
    const finish = (status: number): void =>
      metrics.observe(method, label, status, Number(process.hrtime.bigint() - started) / 1e9);
    void (async () => {
      let status: number;
      try {
        const url = parseUrl(request.url);
        const onPath = compiled.filter((c) => c.pattern.test(url.pathname));
        // HEAD is for the dashboard's files: an API answer is not worth running a handler for.
        const match = onPath.find((c) => c.route.method === (method as Method));
        if (match !== undefined) {
          label = match.route.path;
          const values = match.pattern.exec(url.pathname)?.slice(1) ?? [];
          const params: Record<string, string> = {};
          match.names.forEach((name, i) => {
            params[name] = decodePart(values[i] ?? '');
          });
          status = await dispatch(request, response, match, params, url);
        } else if (onPath.length > 0) {
          label = onPath[0]?.route.path ?? 'unknown';
          sendJson(
            response,
            405,
            { error: { code: 'E_USAGE', message: `${method} is not allowed on ${url.pathname}` } },
            { allow: onPath.map((c) => c.route.method).join(', ') },
          );
          status = 405;
        } else if (url.pathname.startsWith('/api/')) {
          label = 'unknown';
          sendJson(response, 404, {
            error: {
              code: 'E_NOT_FOUND',
              message: `no route ${method} ${url.pathname}`,
              hint: 'see /api/v1/openapi.json',
            },
          });
          status = 404;
        } else if (
          (method === 'GET' || method === 'HEAD') &&
          (await serveStatic(root, url.pathname, response, method === 'HEAD'))
        ) {
          status = 200;
        } else {
          label = 'unknown';
          status = 404;
          response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          response.end(
            url.pathname === '/'
              ? 'the dashboard is not built: run `npm run build`\n'
              : 'not found\n',
          );
        }
      } catch (error) {
        status = sendError(response, error, log);
        if (status === 401 && label === '/api/v1/session' && method === 'POST')
          metrics.signInRefused();
      }
      finish(status);
    })();
  }

  return { handle, routes, metrics, signInLimit };
}
