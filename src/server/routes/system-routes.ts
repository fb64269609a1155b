/** Health, metrics, the OpenAPI document, and signing in and out. */
import { z } from 'zod';
import type { Identity } from '../../access/people.js';
import { SESSION_TTL_MS, signIn, signOut } from '../../access/sessions.js';
import { UnderstudyError } from '../../shared/errors.js';
import { openApiDocument } from '../openapi.js';
import { clientAddress, route, sameText, SESSION_COOKIE, type Route } from '../route.js';
import { limited } from '../sign-in-limit.js';

function sessionBody(identity: Identity, csrfToken?: string): Record<string, unknown> {
  return {
    name: identity.name,
    kind: identity.kind,
    auth: identity.auth,
    secondFactor: identity.secondFactor,
    roles: identity.roles,
    ...(csrfToken === undefined ? {} : { csrfToken }),
  };
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** Password checks running at once, in one server. */
const MAX_PARALLEL_SIGN_INS = 4;

export function systemRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/healthz',
      summary: 'Whether the server is up and its store answers',
      tag: 'system',
      access: 'public',
      answers: { status: 200, description: '{status: "ok", version, store: "ok"}' },
      async handle({ deps }) {
        try {
          await deps.store.driver.query('SELECT 1');
        } catch {
          return {
            status: 503,
            body: { status: 'unavailable', version: deps.version, store: 'unreachable' },
          };
        }
        return { body: { status: 'ok', version: deps.version, store: 'ok' } };
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tag: 'system',
      access: 'public',
      answers: { status: 200, description: 'Prometheus text format', type: 'text/plain' },
      async handle({ deps, request, response, services }) {
        // Environment names, versions and scores are for the scraper, when a token is set.
        const wanted = deps.loaded.config.server.metricsToken;
        if (wanted !== undefined) {
          const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
          if (sent === undefined || !sameText(sent, wanted))
            throw new UnderstudyError('E_AUTH', 'metrics need the token in server.metricsToken', {
              hint: 'send Authorization: Bearer <token> (a Prometheus scrape config sets it)',
            });
        }
        const text = await services.metrics.registry.metrics();
        response.writeHead(200, {
          'content-type': services.metrics.registry.contentType,
          'cache-control': 'no-store',
        });
        response.end(text);
        return { streamed: true };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/openapi.json',
      summary: 'This API, described',
      tag: 'system',
      access: 'public',
      answers: { status: 200, description: 'An OpenAPI 3.1 document' },
      handle({ deps, services }) {
        return { body: openApiDocument(services.routes, deps.version) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/session',
      summary: 'Sign in with a name and password; sets the session cookie',
      tag: 'access',
      access: 'public',
      body: z.strictObject({
        name: z.string().min(1).max(64),
        password: z.string().min(1).max(1024),
      }),
      answers: { status: 200, description: 'The session: who, roles, and the csrfToken' },
      async handle({ deps, body, request, services }) {
        const address = clientAddress(deps, request);
        try {
          limited(services.signInLimit, body.name, address, 'too many failed sign-ins');
        } catch (error) {
          services.metrics.signInRefused();
          throw error;
        }
        // A password check is deliberately expensive (scrypt): only a few run at once.
        const session = await services.signInLimit.attempt(
          body.name,
          address,
          MAX_PARALLEL_SIGN_INS,
          () => signIn(deps.store, body.name, body.password, deps.now),
        );
        const secure =
          request.headers['x-forwarded-proto'] === 'https' ||
          (request.socket as { encrypted?: boolean }).encrypted === true;
        return {
          body: {
            ...sessionBody(session.identity, session.csrfToken),
            expiresAt: session.expiresAt,
          },
          headers: { 'set-cookie': cookie(session.id, Math.floor(SESSION_TTL_MS / 1000), secure) },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/session',
      summary: 'Who is signed in (or whose token this is), with the csrfToken for a cookie session',
      tag: 'access',
      access: 'signed-in',
      answers: { status: 200, description: 'The session' },
      handle({ identity, session }) {
        if (identity === undefined) throw new UnderstudyError('E_AUTH', 'not signed in');
        return {
          body: {
            ...sessionBody(identity, session?.csrfToken),
            ...(session === undefined ? {} : { expiresAt: session.expiresAt }),
          },
        };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/session',
      summary: 'Sign out: ends the session and clears the cookie',
      tag: 'access',
      access: 'signed-in',
      answers: { status: 204, description: 'Signed out' },
      async handle({ deps, session }) {
        if (session !== undefined) await signOut(deps.store, session);
        return { status: 204, headers: { 'set-cookie': cookie('', 0, false) } };
      },
    }),
  ];
}
